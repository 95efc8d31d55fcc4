/* xoshiro256** stream set-up, jumps and the ziggurat's tables and rare branches (see rng.h for why). */
#include "decisional/quant/rng.h"

#include <math.h>

/* Marsaglia and Tsang's rightmost abscissa for 256 layers; the common area v is derived from it
 * exactly (r f(r) + the Gaussian tail beyond r) rather than taken from their 12-digit constant. */
#define ZIG_R 3.6541528853610088

uint64_t parity_splitmix64(uint64_t *state)
{
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void parity_rng_seed(struct parity_rng *rng, uint64_t seed)
{
  uint64_t sm = seed;
  for (int i = 0; i < 4; i++)
    rng->s[i] = parity_splitmix64(&sm);
  /* SplitMix64 is a bijection of its counter, so four consecutive outputs are never all zero;
   * keep the guard anyway because an all-zero state would emit zeros forever. */
  if ((rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]) == 0)
    rng->s[0] = 1;
}

void parity_rng_set_state(struct parity_rng *rng, const uint64_t state[4])
{
  for (int i = 0; i < 4; i++)
    rng->s[i] = state[i];
}

void parity_rng_jump(struct parity_rng *rng)
{
  /* The jump polynomial of the authors' reference code: the state after 2^128 steps is a fixed
   * linear (GF(2)) combination of the states along the way. */
  static const uint64_t jump[4] = { 0x180ec6d33cfd0abaull, 0xd5a61266f0c9392cull, 0xa9582618e03fc9aaull,
                                    0x39abdc4529b1661cull };
  uint64_t acc[4] = { 0, 0, 0, 0 };
  for (int i = 0; i < 4; i++)
    for (int b = 0; b < 64; b++) {
      if (jump[i] & (1ull << b))
        for (int k = 0; k < 4; k++)
          acc[k] ^= rng->s[k];
      (void)parity_rng_next(rng);
    }
  for (int k = 0; k < 4; k++)
    rng->s[k] = acc[k];
}

static double gauss_f(double x)
{
  return exp(-0.5 * x * x);
}

void parity_ziggurat_init(struct parity_ziggurat *zig)
{
  const double r = ZIG_R;
  const double v = r * gauss_f(r) + sqrt(M_PI / 2.0) * erfc(r / sqrt(2.0));
  zig->r = r;
  zig->v = v;
  /* Layer 0 is the base strip plus the tail, treated as a rectangle of area v and width v/f(r). */
  zig->x[0] = v / gauss_f(r);
  zig->x[1] = r;
  for (int i = 2; i < PARITY_ZIG_LAYERS; i++)
    zig->x[i] = sqrt(-2.0 * log(gauss_f(zig->x[i - 1]) + v / zig->x[i - 1]));
  zig->x[PARITY_ZIG_LAYERS] = 0.0;
  for (int i = 0; i <= PARITY_ZIG_LAYERS; i++)
    zig->f[i] = gauss_f(zig->x[i]);
  zig->f[PARITY_ZIG_LAYERS] = 1.0;
  for (int i = 0; i < PARITY_ZIG_LAYERS; i++) {
    zig->w[i] = zig->x[i] * 0x1.0p-53;
    zig->k[i] = (uint64_t)(0x1.0p53 * (zig->x[i + 1] / zig->x[i]));
  }
}

/* Marsaglia (1964): exact sampling of the normal tail beyond r by rejection from an exponential. */
static double normal_tail(struct parity_rng *rng, double r)
{
  for (;;) {
    double a = -log(parity_rng_uniform_pos(rng)) / r;
    double b = -log(parity_rng_uniform_pos(rng));
    if (b + b > a * a)
      return r + a;
  }
}

double parity_rng__normal_slow(struct parity_rng *rng, const struct parity_ziggurat *zig, uint64_t u)
{
  for (;;) {
    unsigned layer = (unsigned)(u & 0xff);
    uint64_t j = u >> 11;
    double x = (double)j * zig->w[layer];
    if (j < zig->k[layer])
      return parity_rng__signed(x, u);
    if (layer == 0)
      return parity_rng__signed(normal_tail(rng, zig->r), u);
    /* Wedge: x lies in layer i's rectangle beyond x[i+1]; accept under the curve. */
    double y = zig->f[layer] + parity_rng_uniform(rng) * (zig->f[layer + 1] - zig->f[layer]);
    if (y < gauss_f(x))
      return parity_rng__signed(x, u);
    u = parity_rng_next(rng);
  }
}
