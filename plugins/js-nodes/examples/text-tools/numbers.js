// Number helpers: seeds are 64-bit, so values beyond 2^53 arrive as BigInt.

const MASK_64 = (1n << 64n) - 1n;

function mix(seed, index) {
  // A fixed 64-bit mix (splitmix64 step): the same seed and index always give the same result.
  let z = (BigInt(seed) + BigInt(index) * 0x9e3779b97f4a7c15n) & MASK_64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
  return z ^ (z >> 31n);
}

defineNode({
  name: "SeedForIndex",
  display_name: "Seed For Index",
  category: "numbers",
  inputs: {
    required: {
      seed: ["INT", { default: 0, min: 0, max: 18446744073709551615n, control_after_generate: true }],
      index: ["INT", { default: 0, min: 0, max: 1000000 }],
    },
  },
  outputs: [["INT", "seed"]],
  execute: ({ seed, index }) => [mix(seed, index)],
});

defineNode({
  name: "FitSize",
  display_name: "Fit Size",
  category: "numbers",
  description: "Scales width and height to fit a pixel budget, rounded down to a multiple.",
  inputs: {
    required: {
      width: ["INT", { default: 1024, min: 8, max: 16384 }],
      height: ["INT", { default: 1024, min: 8, max: 16384 }],
      megapixels: ["FLOAT", { default: 1.0, min: 0.01, max: 16.0, step: 0.01 }],
      multiple: ["INT", { default: 8, min: 1, max: 256 }],
    },
  },
  outputs: [["INT", "width"], ["INT", "height"], ["FLOAT", "scale"]],
  execute: ({ width, height, megapixels, multiple }) => {
    const scale = Math.sqrt((megapixels * 1048576) / (width * height));
    const fit = (v) => Math.max(multiple, Math.floor((v * scale) / multiple) * multiple);
    return { width: fit(width), height: fit(height), scale };
  },
});
