// The default text-to-image workflow ComfyUI's editor opens the first time (docs/api-contract.md §10), wired to the
// first checkpoint of the models folder.

export function defaultGraph(objectInfo) {
  const checkpoints = objectInfo?.CheckpointLoaderSimple?.input?.required?.ckpt_name?.[0] ?? []
  const ckpt = checkpoints[0] ?? 'v1-5-pruned-emaonly.safetensors'
  const node = (id, type, pos, size, widgets, inputs, outputs, title) => ({
    id, type, pos, size, flags: {}, order: 0, mode: 0, inputs, outputs, properties: { 'Node name for S&R': type },
    widgets_values: widgets, ...(title ? { title } : {}),
  })
  const input = (name, type, link) => ({ name, type, link })
  const output = (name, type, links, slot) => ({ name, type, links, slot_index: slot })
  return {
    last_node_id: 9,
    last_link_id: 9,
    nodes: [
      node(7, 'CLIPTextEncode', [413, 389], [425, 180], ['text, watermark'], [input('clip', 'CLIP', 5)],
        [output('CONDITIONING', 'CONDITIONING', [6], 0)], 'CLIP Text Encode (Negative)'),
      node(6, 'CLIPTextEncode', [415, 186], [422, 164],
        ['beautiful scenery nature glass bottle landscape, , purple galaxy bottle,'], [input('clip', 'CLIP', 3)],
        [output('CONDITIONING', 'CONDITIONING', [4], 0)], 'CLIP Text Encode (Positive)'),
      node(5, 'EmptyLatentImage', [473, 609], [315, 106], [512, 512, 1], [],
        [output('LATENT', 'LATENT', [2], 0)]),
      node(3, 'KSampler', [863, 186], [315, 262], [156680208700286, 'randomize', 20, 8, 'euler', 'normal', 1],
        [input('model', 'MODEL', 1), input('positive', 'CONDITIONING', 4), input('negative', 'CONDITIONING', 6),
          input('latent_image', 'LATENT', 2)], [output('LATENT', 'LATENT', [7], 0)]),
      node(8, 'VAEDecode', [1209, 188], [210, 46], [], [input('samples', 'LATENT', 7), input('vae', 'VAE', 8)],
        [output('IMAGE', 'IMAGE', [9], 0)]),
      node(9, 'SaveImage', [1451, 189], [210, 270], ['ComfyUI'], [input('images', 'IMAGE', 9)], []),
      node(4, 'CheckpointLoaderSimple', [26, 474], [315, 98], [ckpt], [],
        [output('MODEL', 'MODEL', [1], 0), output('CLIP', 'CLIP', [3, 5], 1), output('VAE', 'VAE', [8], 2)]),
    ],
    links: [
      [1, 4, 0, 3, 0, 'MODEL'], [2, 5, 0, 3, 3, 'LATENT'], [3, 4, 1, 6, 0, 'CLIP'], [4, 6, 0, 3, 1, 'CONDITIONING'],
      [5, 4, 1, 7, 0, 'CLIP'], [6, 7, 0, 3, 2, 'CONDITIONING'], [7, 3, 0, 8, 0, 'LATENT'], [8, 4, 2, 8, 1, 'VAE'],
      [9, 8, 0, 9, 0, 'IMAGE'],
    ],
    groups: [],
    config: {},
    extra: {},
    version: 0.4,
  }
}
