
/** Widgets keep their value on the widget itself; litegraph warns about a widget without a callback. */
const keepValue = () => {}
// Widgets per input type, as ComfyUI's editor shows them (docs/api-contract.md §5.2): numbers with min/max/step, text
// (multi-line text edits in a dialog), toggles, combos, and the "control after generate" combo after seeds.

const WIDGET_TYPES = new Set(['INT', 'FLOAT', 'STRING', 'BOOLEAN', 'COMBO'])

/** True when the input spec [TYPE, options] shows as a widget (a list of values is a COMBO). */
export function isWidgetSpec(spec) {
  const [type, options] = spec
  if (options?.forceInput) return false
  return Array.isArray(type) || WIDGET_TYPES.has(type)
}

export const CONTROL_VALUES = ['fixed', 'increment', 'decrement', 'randomize']

/** Adds the widget of input {@code name} to {@code node}; its socket lets a link replace the value. */
export function addWidget(node, name, spec) {
  const [type, options = {}] = spec
  let widget
  if (Array.isArray(type) || type === 'COMBO') {
    const values = Array.isArray(type) ? type : options.options ?? []
    widget = node.addWidget('combo', name, options.default ?? values[0] ?? '', keepValue, { values })
  } else if (type === 'INT' || type === 'FLOAT') {
    const step = options.step ?? (type === 'INT' ? 1 : 0.1)
    const precision = type === 'INT' ? 0 : options.round ? decimals(options.round) : decimals(step)
    widget = node.addWidget('number', name, options.default ?? options.min ?? 0, keepValue, {
      min: options.min ?? -Number.MAX_SAFE_INTEGER, max: options.max ?? Number.MAX_SAFE_INTEGER, step2: step,
      precision, round: type === 'INT' ? 1 : options.round,
    })
  } else if (type === 'BOOLEAN') {
    widget = node.addWidget('toggle', name, options.default ?? false, keepValue,
      { on: options.label_on ?? 'true', off: options.label_off ?? 'false' })
  } else {
    widget = node.addWidget('text', name, options.default ?? '', keepValue, { multiline: !!options.multiline })
  }
  widget.inputType = Array.isArray(type) ? 'COMBO' : type
  node.addInput(name, widget.inputType, { widget: { name } })
  if (options.control_after_generate) {
    const control = node.addWidget('combo', 'control_after_generate', 'randomize', keepValue, { values: CONTROL_VALUES })
    control.controls = widget
    control.serialize = true
  }
  return widget
}

function decimals(step) {
  const text = String(step)
  return text.includes('.') ? text.length - text.indexOf('.') - 1 : 0
}

/**
 * Applies every "control after generate" widget of the graph (after a job was queued): fixed keeps the value,
 * increment/decrement step it, randomize draws a new one within the widget's range.
 */
export function applyControlAfterGenerate(graph) {
  for (const node of graph.nodes ?? graph._nodes) {
    for (const control of node.widgets ?? []) {
      const target = control.controls
      if (!target || control.value === 'fixed') continue
      const { min = 0, max = 2 ** 53 - 1, step2 = 1 } = target.options
      if (control.value === 'increment') target.value = Math.min(max, target.value + step2)
      if (control.value === 'decrement') target.value = Math.max(min, target.value - step2)
      if (control.value === 'randomize') {
        const hi = Math.min(max, 0xffffffffffff)
        target.value = Math.floor(Math.max(min, 0) + Math.random() * (hi - Math.max(min, 0)))
      }
    }
  }
}
