package dev.easel.nodes.core.sampling.noise;

import java.util.Arrays;

/**
 * numpy's {@code SeedSequence} (its algorithm after M. O'Neill's {@code seed_seq} design, "PCG: A Family of Simple
 * Fast Space-Efficient Statistically Good Algorithms for Random Number Generation", 2014): hashes an entropy value
 * and a spawn key into a pool of 32-bit words, from which {@link #generateState} derives well-mixed 32-bit seeds.
 * torchsde's Brownian tree seeds each of its nodes this way, so the same words are needed to reproduce its noise.
 *
 * <p>Entropy and spawn-key entries are non-negative integers cut into 32-bit words, least significant first (0 is one
 * zero word); a Java {@code long} is read as unsigned.
 */
final class SeedSequence {

    private static final int INIT_A = 0x43b0d7e5;
    private static final int MULT_A = 0x931e8875;
    private static final int INIT_B = 0x8b51f9dd;
    private static final int MULT_B = 0x58f38ded;
    private static final int MIX_MULT_L = 0xca01f9dd;
    private static final int MIX_MULT_R = 0x4973f715;

    private final int[] pool;

    /** The pool for {@code entropy} and {@code spawnKey} (possibly empty), {@code poolSize} words. */
    SeedSequence(long entropy, long[] spawnKey, int poolSize) {
        int[] run = words(entropy);
        int[] spawn = new int[0];
        for (long k : spawnKey) {
            spawn = concat(spawn, words(k));
        }
        if (spawn.length > 0 && run.length < poolSize) {
            run = Arrays.copyOf(run, poolSize); // zero-padded so spawn keys never alias plain entropy
        }
        int[] entropyWords = concat(run, spawn);
        pool = new int[poolSize];
        int[] hashConst = {INIT_A};
        for (int i = 0; i < poolSize; i++) {
            pool[i] = hash(i < entropyWords.length ? entropyWords[i] : 0, hashConst);
        }
        for (int src = 0; src < poolSize; src++) {
            for (int dst = 0; dst < poolSize; dst++) {
                if (src != dst) {
                    pool[dst] = mix(pool[dst], hash(pool[src], hashConst));
                }
            }
        }
        for (int src = poolSize; src < entropyWords.length; src++) {
            for (int dst = 0; dst < poolSize; dst++) {
                pool[dst] = mix(pool[dst], hash(entropyWords[src], hashConst));
            }
        }
    }

    /** {@code n} 32-bit words of seed state (returned as unsigned values in longs). */
    long[] generateState(int n) {
        long[] out = new long[n];
        int hashConst = INIT_B;
        for (int i = 0; i < n; i++) {
            int v = pool[i % pool.length] ^ hashConst;
            hashConst *= MULT_B;
            v *= hashConst;
            v ^= v >>> 16;
            out[i] = Integer.toUnsignedLong(v);
        }
        return out;
    }

    private static int hash(int value, int[] hashConst) {
        value ^= hashConst[0];
        hashConst[0] *= MULT_A;
        value *= hashConst[0];
        return value ^ (value >>> 16);
    }

    private static int mix(int x, int y) {
        int r = MIX_MULT_L * x - MIX_MULT_R * y;
        return r ^ (r >>> 16);
    }

    /** An unsigned 64-bit value as 32-bit words, least significant first; 0 is one word. */
    private static int[] words(long v) {
        int hi = (int) (v >>> 32);
        return hi == 0 ? new int[] {(int) v} : new int[] {(int) v, hi};
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
