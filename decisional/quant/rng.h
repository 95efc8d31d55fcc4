/*
 * Seeded random numbers for the Monte Carlo forecast: xoshiro256** streams and a ziggurat normal sampler.
 *
 * Why these: xoshiro256** (Blackman and Vigna, "Scrambled linear pseudorandom number generators",
 * ACM TOMS 2021) is small, passes BigCrush and PractRand, costs about a nanosecond per 64 bits and has
 * a jump function that splits one seed into 2^128 non-overlapping streams, which is how the forecast
 * gives each block of paths its own stream so the result does not depend on the thread count.
 * Seeds are expanded with SplitMix64, as the authors recommend, so nearby seeds give unrelated states.
 * Normals come from the Marsaglia and Tsang ziggurat (J. Stat. Software 5(8), 2000) with 256 layers:
 * exact in distribution (rejection, not an approximation), about one 64-bit draw per normal, and the
 * layer index, sign and abscissa use disjoint bits of that draw (Doornik 2005's fix for the correlated
 * original). The tail beyond r uses Marsaglia's exact exponential-rejection method.
 * Everything is pure: state lives in caller-owned structs, there are no globals.
 */
#ifndef PARITY_QUANT_RNG_H
#define PARITY_QUANT_RNG_H

#include <stdint.h>

#define PARITY_ZIG_LAYERS 256

struct parity_rng {
  uint64_t s[4];
};

/* Precomputed ziggurat tables; fill once with parity_ziggurat_init (a few microseconds). */
struct parity_ziggurat {
  double x[PARITY_ZIG_LAYERS + 1]; /* layer abscissae: x[0] = v/f(r) (base), x[1] = r, ..., x[256] = 0 */
  double f[PARITY_ZIG_LAYERS + 1]; /* exp(-x^2/2) at each abscissa */
  double w[PARITY_ZIG_LAYERS];     /* x[i] / 2^53: scales a 53-bit integer into layer i */
  uint64_t k[PARITY_ZIG_LAYERS];   /* floor(2^53 * x[i+1] / x[i]): the fast-accept bound */
  double r, v;                     /* rightmost abscissa and the common layer area */
};

/* SplitMix64 (Steele, Lea and Flood 2014): advances *state and returns the next output. */
uint64_t parity_splitmix64(uint64_t *state);

/* Seeds the generator from one 64-bit seed through SplitMix64 (never the all-zero state). */
void parity_rng_seed(struct parity_rng *rng, uint64_t seed);
/* Sets the raw state (for reference vectors); the all-zero state is invalid. */
void parity_rng_set_state(struct parity_rng *rng, const uint64_t state[4]);
/* Advances the stream by 2^128 draws: successive jumps give non-overlapping streams. */
void parity_rng_jump(struct parity_rng *rng);

void parity_ziggurat_init(struct parity_ziggurat *zig);

static inline uint64_t parity_rng__rotl(uint64_t x, int k)
{
  return (x << k) | (x >> (64 - k));
}

/* The next 64 bits of xoshiro256**. */
static inline uint64_t parity_rng_next(struct parity_rng *rng)
{
  uint64_t *s = rng->s;
  uint64_t result = parity_rng__rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = parity_rng__rotl(s[3], 45);
  return result;
}

/* Uniform on [0, 1) with 53 random bits. */
static inline double parity_rng_uniform(struct parity_rng *rng)
{
  return (double)(parity_rng_next(rng) >> 11) * 0x1.0p-53;
}

/* Uniform on (0, 1]: safe to take the logarithm of. */
static inline double parity_rng_uniform_pos(struct parity_rng *rng)
{
  return (double)((parity_rng_next(rng) >> 11) + 1) * 0x1.0p-53;
}

/* The rare branches of the ziggurat (wedges and tail), kept out of line. */
double parity_rng__normal_slow(struct parity_rng *rng, const struct parity_ziggurat *zig, uint64_t u);

/* Gives x the sign bit 8 of u selects, without a branch (a coin-flip branch mispredicts half the time). */
static inline double parity_rng__signed(double x, uint64_t u)
{
  union {
    double d;
    uint64_t b;
  } c = { .d = x };
  c.b ^= (u & 0x100) << 55;
  return c.d;
}

/* A standard normal draw. About 98.5% of draws take the first branch. */
static inline double parity_rng_normal(struct parity_rng *rng, const struct parity_ziggurat *zig)
{
  uint64_t u = parity_rng_next(rng);
  unsigned layer = (unsigned)(u & 0xff);
  uint64_t j = u >> 11;
  if (__builtin_expect(j < zig->k[layer], 1))
    return parity_rng__signed((double)j * zig->w[layer], u);
  return parity_rng__normal_slow(rng, zig, u);
}

#endif
