// Node types for the canvas, made from the server's /object_info (docs/api-contract.md §5): one litegraph class per
// node class, with a widget for every widget input (INT, FLOAT, STRING, BOOLEAN, COMBO) and a socket for the rest.
import { LGraphNode, LiteGraph } from '@comfyorg/litegraph'
import { addWidget, isWidgetSpec } from './widgets.js'

/** The input order of a node definition: required, then optional (object_info's input_order when present). */
export function inputOrder(def) {
  const order = def.input_order ?? {}
  const names = []
  for (const group of ['required', 'optional']) {
    const specs = def.input?.[group] ?? {}
    names.push(...(order[group] ?? Object.keys(specs)).map((name) => ({ name, spec: specs[name], optional: group === 'optional' })))
  }
  return names.filter((i) => i.spec)
}

/** Makes the litegraph class of one node definition. */
export function nodeClass(def) {
  const outputs = (def.output ?? []).map((type, i) => ({
    type: Array.isArray(type) ? 'COMBO' : type,
    name: def.output_name?.[i] ?? (Array.isArray(type) ? 'COMBO' : type),
    isList: def.output_is_list?.[i] ?? false,
  }))
  const inputs = inputOrder(def)

  class EaselNode extends LGraphNode {
    static title = def.display_name || def.name
    static comfyClass = def.name
    static category = def.category
    static nodeData = def

    constructor(title) {
      super(title ?? EaselNode.title)
      this.comfyClass = def.name
      this.isOutputNode = !!def.output_node
      this.serialize_widgets = true
      // Sockets first, then the widgets (each with its own socket), as ComfyUI's editor lays them out.
      for (const { name, spec, optional } of inputs.filter((i) => !isWidgetSpec(i.spec))) {
        this.addInput(name, spec[0], optional ? { shape: LiteGraph.ROUND_SHAPE, optional: true } : undefined)
      }
      for (const { name, spec } of inputs.filter((i) => isWidgetSpec(i.spec))) {
        addWidget(this, name, spec)
      }
      for (const o of outputs) {
        this.addOutput(o.name, o.type, o.isList ? { shape: LiteGraph.GRID_SHAPE } : undefined)
      }
      const size = this.computeSize()
      this.size = [Math.max(size[0], 220), size[1]]
    }
  }
  return EaselNode
}

/**
 * Registers (or re-registers) every node class of object_info; types that disappeared (a disabled plugin) are
 * unregistered. Returns the names that were added and removed.
 */
export function registerNodeTypes(objectInfo, previous = new Set()) {
  const names = new Set(Object.keys(objectInfo))
  for (const name of previous) {
    if (!names.has(name)) LiteGraph.unregisterNodeType(name)
  }
  for (const [name, def] of Object.entries(objectInfo)) {
    const type = nodeClass({ ...def, name })
    LiteGraph.registerNodeType(name, type)
    type.category = def.category // registerNodeType sets it from the type name, which has no "/" here
    type.desc = def.description
  }
  return {
    registered: names,
    added: [...names].filter((n) => !previous.has(n)),
    removed: [...previous].filter((n) => !names.has(n)),
  }
}
