import { describe, expect, test } from 'vitest'
import { readFileSync } from 'node:fs'
import { defaultGraph } from '../src/defaultGraph.js'

const objectInfo = (checkpoints) => ({
  CheckpointLoaderSimple: { input: { required: { ckpt_name: [checkpoints] } } },
})
const widgets = (graph, id) => graph.nodes.find((n) => n.id === id).widgets_values

describe('default graph', () => {
  test("takes the values of the server's default workflow (the repository's text-to-image.json)", () => {
    const api = JSON.parse(readFileSync(new URL('../../../workflows/text-to-image.json', import.meta.url), 'utf8'))
    const graph = defaultGraph(objectInfo(['other.safetensors', api['4'].inputs.ckpt_name]), api)
    expect(widgets(graph, 4)).toEqual([api['4'].inputs.ckpt_name])
    expect(widgets(graph, 6)).toEqual([api['6'].inputs.text])
    expect(widgets(graph, 7)).toEqual([api['7'].inputs.text])
    const latent = api['5'].inputs
    expect(widgets(graph, 5)).toEqual([latent.width, latent.height, latent.batch_size])
    const k = api['3'].inputs
    expect(widgets(graph, 3)).toEqual([k.seed, 'randomize', k.steps, k.cfg, k.sampler_name, k.scheduler, k.denoise])
    expect(widgets(graph, 9)).toEqual([api['9'].inputs.filename_prefix])
    expect(graph.links).toHaveLength(9)
  })

  test("without a default workflow, or a checkpoint it names that is not there, ComfyUI's values", () => {
    const comfy = defaultGraph(objectInfo(['a.safetensors']), null)
    expect(widgets(comfy, 4)).toEqual(['a.safetensors'])
    expect(widgets(comfy, 5)).toEqual([512, 512, 1])
    expect(widgets(comfy, 7)).toEqual(['text, watermark'])
    const missing = defaultGraph(objectInfo(['a.safetensors']), {
      4: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'gone.safetensors' } },
      5: { class_type: 'EmptyLatentImage', inputs: { width: ['1', 0], height: 64, batch_size: 1 } },
    })
    expect(widgets(missing, 4)).toEqual(['a.safetensors'])
    expect(widgets(missing, 5)).toEqual([512, 64, 1]) // a link is not a value
  })
})
