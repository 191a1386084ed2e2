/* The hot loop in plain C, as the reference for Ghurbal's: for each document (one normalized document per line,
 * words separated by single spaces), word 5-shingles, XXH3-64 of each shingle's bytes from libxxhash, folded into a
 * 128-slot MinHash signature with the same permutation family and parameters as MinHasher (a·(y ⊕ s) + b mod 2^32,
 * y = h ⊕ h≫32, parameters from SplitMix64). Built and run by Benchmarks/scripts/hotloop.sh:
 *     cc -O3 -march=native minhash_reference.c -lxxhash -o minhash_reference
 *     ./minhash_reference DOCUMENTS.txt ROUNDS
 * Prints shingles per second and a checksum of all signatures, which the Swift twin (HotLoop) must match. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

#define K 128
#define N 5
static const uint64_t SHINGLE_SEED = 0x6768757262616c00ULL; /* ShingleHasher's default seed */
static const uint64_t MINHASH_SEED = 0x5EED68757262616CULL; /* MinHasher's default seed */

static uint64_t splitmix(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s NORMALIZED.txt ROUNDS\n", argv[0]); return 64; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 66; }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *text = malloc(size);
    if (fread(text, 1, size, f) != (size_t)size) { perror("read"); return 74; }
    fclose(f);
    int rounds = atoi(argv[2]);

    uint32_t a[K], b[K], s[K];
    uint64_t state = MINHASH_SEED;
    for (int p = 0; p < K; p++) {
        uint64_t r = splitmix(&state);
        a[p] = (uint32_t)r | 1;
        b[p] = (uint32_t)(r >> 32);
        s[p] = (uint32_t)splitmix(&state);
    }
    uint32_t sig[K];
    long shingles = 0;
    uint64_t checksum = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int round = 0; round < rounds; round++) {
        long i = 0;
        while (i < size) {
            long end = i;
            while (end < size && text[end] != '\n') end++;
            /* One document: text[i, end). */
            for (int p = 0; p < K; p++) sig[p] = UINT32_MAX;
            long starts[N];
            long words = 0, produced = 0;
            long j = i;
            while (j < end) {
                while (j < end && text[j] == ' ') j++;
                if (j == end) break;
                long start = j;
                while (j < end && text[j] != ' ') j++;
                starts[words % N] = start;
                words++;
                if (words >= N) {
                    long from = starts[(words - N) % N];
                    uint64_t h = XXH3_64bits_withSeed(text + from, (size_t)(j - from), SHINGLE_SEED);
                    uint32_t y = (uint32_t)(h ^ (h >> 32));
                    for (int p = 0; p < K; p++) {
                        uint32_t v = a[p] * (y ^ s[p]) + b[p];
                        sig[p] = v < sig[p] ? v : sig[p];
                    }
                    produced++;
                }
            }
            shingles += produced;
            checksum = (checksum ^ XXH3_64bits(sig, sizeof sig)) * 0x100000001B3ULL;
            i = end + 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("C reference: %ld shingles in %.3f s = %.1f M shingles/s, signatures %016llx\n", shingles, seconds,
           shingles / seconds / 1e6, (unsigned long long)checksum);
    return 0;
}
