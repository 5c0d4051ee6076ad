//! Block orders: a block of order `k` holds `2^k` bytes and starts at a multiple of `2^k`.

/// Smallest block: 32 bytes (room for the free-list links, and 16-byte alignment for malloc).
pub const MIN_ORDER: u32 = 5;
/// Number of orders tracked; blocks go up to `2^(ORDER_LIMIT - 1)` bytes.
pub const ORDER_LIMIT: u32 = 48;
/// Smallest block size in bytes.
pub const MIN_BLOCK: usize = 1 << MIN_ORDER;

/// Size in bytes of a block of `order`.
pub const fn block_size(order: u32) -> usize {
    1 << order
}

/// The order of the smallest block that holds `size` bytes aligned to `align` (a power of two),
/// or `None` when no block is big enough.
pub fn order_for(size: usize, align: usize) -> Option<u32> {
    let need = size.max(align).max(MIN_BLOCK);
    let order = need.checked_next_power_of_two()?.trailing_zeros();
    (order < ORDER_LIMIT).then_some(order)
}

/// Order of the largest block that starts at `addr` and ends at or before `end`.
pub fn largest_fitting(addr: usize, end: usize) -> u32 {
    let by_alignment = addr.trailing_zeros();
    let by_room = usize::BITS - 1 - (end - addr).leading_zeros();
    by_alignment.min(by_room).min(ORDER_LIMIT - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_for_rounds_up_and_honours_alignment() {
        assert_eq!(order_for(0, 1), Some(MIN_ORDER));
        assert_eq!(order_for(32, 8), Some(5));
        assert_eq!(order_for(33, 8), Some(6));
        assert_eq!(order_for(4096, 16), Some(12));
        assert_eq!(order_for(10, 4096), Some(12));
        assert_eq!(order_for(usize::MAX, 1), None);
        assert_eq!(order_for(1 << 47, 1), Some(47));
        assert_eq!(order_for((1 << 47) + 1, 1), None);
    }

    #[test]
    fn largest_fitting_respects_alignment_and_room() {
        assert_eq!(largest_fitting(0x1000, 0x10000), 12);
        assert_eq!(largest_fitting(0x10000, 0x20000), 16);
        assert_eq!(largest_fitting(0x10000, 0x18000), 15);
        assert_eq!(largest_fitting(0x20, 0x40), 5);
    }
}
