import { describe, expect, test } from 'vitest'
import encodeChunks from 'png-chunks-encode'
import { pngText, workflowFromPng } from '../src/pngMetadata.js'

const bytes = (text) => new TextEncoder().encode(text)
const latin1 = (text) => Uint8Array.from([...text].map((c) => c.charCodeAt(0)))
const concat = (...parts) => Uint8Array.from(parts.flatMap((p) => [...p]))

function png(...chunks) {
  const ihdr = new Uint8Array(13)
  new DataView(ihdr.buffer).setUint32(0, 1)
  new DataView(ihdr.buffer).setUint32(4, 1)
  ihdr.set([8, 6, 0, 0, 0], 8)
  return encodeChunks([{ name: 'IHDR', data: ihdr }, ...chunks, { name: 'IEND', data: new Uint8Array(0) }])
}

const tEXt = (keyword, text) => ({ name: 'tEXt', data: concat(latin1(keyword), [0], latin1(text)) })
const iTXt = (keyword, text, compressed = 0) => ({
  name: 'iTXt', data: concat(latin1(keyword), [0, compressed, 0], bytes('en'), [0], bytes('title'), [0], bytes(text)),
})

describe('PNG metadata', () => {
  test('reads the workflow and prompt that ComfyUI and Easel write as tEXt', () => {
    const workflow = { nodes: [{ id: 1, type: 'SaveImage' }], links: [], version: 0.4 }
    const file = png(tEXt('prompt', '{"1": {"class_type": "SaveImage", "inputs": {}}}'),
      tEXt('workflow', JSON.stringify(workflow)))
    expect(workflowFromPng(file)).toEqual({ workflow })
    expect(Object.keys(pngText(file))).toEqual(['prompt', 'workflow'])
  })

  test('reads uncompressed iTXt as UTF-8 and skips compressed iTXt', () => {
    const file = png(iTXt('workflow', '{"nodes": [], "title": "café ☕"}'), iTXt('other', 'zzz', 1))
    expect(workflowFromPng(file).workflow.title).toBe('café ☕')
    expect(pngText(file).other).toBeUndefined()
  })

  test('a PNG with only an API prompt says so; one without text has nothing', () => {
    expect(workflowFromPng(png(tEXt('prompt', '{"3": {}}')))).toEqual({ apiPrompt: { 3: {} } })
    expect(workflowFromPng(png())).toBeNull()
  })

  test('bytes that are not a PNG are an error', () => {
    expect(() => pngText(bytes('{"nodes": []}'))).toThrow()
  })
})
