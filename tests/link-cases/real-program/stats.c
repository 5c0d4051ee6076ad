#include <math.h>
#include <string.h>
#include "words.h"

double mean_length(const struct words *w)
{
	double total = 0;
	for (size_t i = 0; i < w->count; i++)
		total += strlen(w->items[i]);
	return total / w->count;
}

double stddev_length(const struct words *w)
{
	double mean = mean_length(w), sum = 0;
	for (size_t i = 0; i < w->count; i++) {
		double d = strlen(w->items[i]) - mean;
		sum += d * d;
	}
	return sqrt(sum / w->count);
}

double apply(int op, double a, double b)
{
	switch (op) {
	case 0: return a + b;
	case 1: return a - b;
	case 2: return a * b;
	case 3: return a / b;
	case 4: return fmod(a, b);
	case 5: return pow(a, b);
	default: return 0;
	}
}
