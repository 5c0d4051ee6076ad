/* allocregion's link-time options (registry.toml): ukl defines each `uk_opt_allocregion_*`
 * symbol with the link's value; these weak definitions hold the defaults for links without
 * ukl. They are C because stable Rust cannot define a weak symbol. */

/* allocregion.limit: most bytes the heap takes from free RAM; 0 takes all of it. */
__attribute__((weak)) const unsigned long long uk_opt_allocregion_limit = 0;
