// The default text-to-image graph ComfyUI's editor opens the first time (docs/api-contract.md §10), with the values of
// the server's default workflow (GET /api/workflow/default, API format: Easel's own model at 64×64) when it has
// that graph's shape, otherwise ComfyUI's values on the first checkpoint of the models folder.

/** The inputs of node `id` in an API-format workflow, when that node is a `type`; otherwise {}. */
function inputsOf(apiWorkflow, id, type) {
  const node = apiWorkflow?.[id]
  return node?.class_type === type && node.inputs && typeof node.inputs === 'object' ? node.inputs : {}
}

/** `value` when it is a literal (not a link) of the expected kind, else `fallback`. */
function literal(value, fallback) {
  return value !== undefined && !Array.isArray(value) && typeof value === typeof fallback ? value : fallback
}

export function defaultGraph(objectInfo, apiDefault) {
  const checkpoints = objectInfo?.CheckpointLoaderSimple?.input?.required?.ckpt_name?.[0] ?? []
  const loader = inputsOf(apiDefault, '4', 'CheckpointLoaderSimple')
  const ckpt = checkpoints.includes(loader.ckpt_name) ? loader.ckpt_name
    : checkpoints[0] ?? 'v1-5-pruned-emaonly.safetensors'
  const positive = literal(inputsOf(apiDefault, '6', 'CLIPTextEncode').text,
    'beautiful scenery nature glass bottle landscape, , purple galaxy bottle,')
  const negative = literal(inputsOf(apiDefault, '7', 'CLIPTextEncode').text, 'text, watermark')
  const latent = inputsOf(apiDefault, '5', 'EmptyLatentImage')
  const latentSize = [literal(latent.width, 512), literal(latent.height, 512), literal(latent.batch_size, 1)]
  const k = inputsOf(apiDefault, '3', 'KSampler')
  const sampler = [literal(k.seed, 156680208700286), 'randomize', literal(k.steps, 20), literal(k.cfg, 8),
    literal(k.sampler_name, 'euler'), literal(k.scheduler, 'normal'), literal(k.denoise, 1)]
  const prefix = literal(inputsOf(apiDefault, '9', 'SaveImage').filename_prefix, 'ComfyUI')
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
      node(7, 'CLIPTextEncode', [413, 389], [425, 180], [negative], [input('clip', 'CLIP', 5)],
        [output('CONDITIONING', 'CONDITIONING', [6], 0)], 'CLIP Text Encode (Negative)'),
      node(6, 'CLIPTextEncode', [415, 186], [422, 164],
        [positive], [input('clip', 'CLIP', 3)],
        [output('CONDITIONING', 'CONDITIONING', [4], 0)], 'CLIP Text Encode (Positive)'),
      node(5, 'EmptyLatentImage', [473, 609], [315, 106], latentSize, [],
        [output('LATENT', 'LATENT', [2], 0)]),
      node(3, 'KSampler', [863, 186], [315, 262], sampler,
        [input('model', 'MODEL', 1), input('positive', 'CONDITIONING', 4), input('negative', 'CONDITIONING', 6),
          input('latent_image', 'LATENT', 2)], [output('LATENT', 'LATENT', [7], 0)]),
      node(8, 'VAEDecode', [1209, 188], [210, 46], [], [input('samples', 'LATENT', 7), input('vae', 'VAE', 8)],
        [output('IMAGE', 'IMAGE', [9], 0)]),
      node(9, 'SaveImage', [1451, 189], [210, 270], [prefix], [input('images', 'IMAGE', 9)], []),
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
