import { describe, expect, test } from 'vitest'
import { applyControlAfterGenerate, CONTROL_VALUES, isWidgetSpec } from '../src/widgets.js'

function seedNode(mode, value, options = { min: 0, max: 0xffffffffffffffff, step2: 1 }) {
  const seed = { name: 'seed', value, options }
  return { seed, node: { widgets: [seed, { name: 'control_after_generate', value: mode, controls: seed }] } }
}

describe('widgets', () => {
  test('widget inputs are the primitive types and combos, unless forced to a socket', () => {
    expect(isWidgetSpec(['INT', { default: 1 }])).toBe(true)
    expect(isWidgetSpec([['euler', 'ddim']])).toBe(true)
    expect(isWidgetSpec(['COMBO', { options: ['a'] }])).toBe(true)
    expect(isWidgetSpec(['STRING', { forceInput: true }])).toBe(false)
    expect(isWidgetSpec(['MODEL'])).toBe(false)
  })

  test('control after generate: fixed keeps, increment and decrement step within the range, randomize redraws', () => {
    const fixed = seedNode('fixed', 5)
    const up = seedNode('increment', 5)
    const down = seedNode('decrement', 0)
    const random = seedNode('randomize', 5, { min: 0, max: 1000, step2: 1 })
    applyControlAfterGenerate({ nodes: [fixed.node, up.node, down.node, random.node] })
    expect(fixed.seed.value).toBe(5)
    expect(up.seed.value).toBe(6)
    expect(down.seed.value).toBe(0)
    expect(random.seed.value).toBeGreaterThanOrEqual(0)
    expect(random.seed.value).toBeLessThanOrEqual(1000)
    expect(Number.isInteger(random.seed.value)).toBe(true)
    expect(CONTROL_VALUES).toContain('randomize')
  })
})
