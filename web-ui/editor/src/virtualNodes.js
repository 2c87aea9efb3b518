// Editor-only nodes that ComfyUI users know, which the server never runs (the UI→API conversion resolves them):
// Reroute passes a link through, Note holds text, PrimitiveNode gives one value to the widget inputs it feeds.
import { LGraphNode, LiteGraph } from '@comfyorg/litegraph'
import { addWidget } from './widgets.js'

/** Widgets keep their value on the widget itself; litegraph warns about a widget without a callback. */
const keepValue = () => {}

class Reroute extends LGraphNode {
  static title = 'Reroute'
  static category = 'utils'

  constructor(title) {
    super(title ?? Reroute.title)
    this.isVirtualNode = true
    this.addInput('', '*')
    this.addOutput('', '*')
    this.size = [75, 26]
  }

  /** Takes the type of what comes in, so the output only accepts matching links. */
  onConnectionsChange() {
    const link = this.inputs[0].link == null ? null : this.graph?.links?.get?.(this.inputs[0].link) ?? this.graph?.links?.[this.inputs[0].link]
    this.outputs[0].type = link?.type ?? '*'
    this.inputs[0].type = '*'
  }
}

class Note extends LGraphNode {
  static title = 'Note'
  static category = 'utils'

  constructor(title) {
    super(title ?? Note.title)
    this.isVirtualNode = true
    this.serialize_widgets = true
    this.addWidget('text', 'text', '', keepValue, { multiline: true })
    this.size = [300, 80]
  }
}

class PrimitiveNode extends LGraphNode {
  static title = 'Primitive'
  static category = 'utils'

  constructor(title) {
    super(title ?? PrimitiveNode.title)
    this.isVirtualNode = true
    this.serialize_widgets = true
    this.addOutput('connect to widget input', '*')
  }

  /** On its first link to a widget input, copies that widget (type, range, value) as its own. */
  onConnectionsChange(side, slot, connected, link) {
    if (side !== LiteGraph.OUTPUT || !connected || !link || this.widgets?.length) return
    const target = this.graph?.getNodeById(link.target_id)
    const input = target?.inputs?.[link.target_slot]
    const widget = input?.widget && target.widgets?.find((w) => w.name === input.widget.name)
    if (!widget) return
    const spec = target.constructor.nodeData ? specOf(target.constructor.nodeData, widget.name) : null
    if (spec) {
      const own = addWidget(this, widget.name, spec)
      own.value = widget.value
      this.inputs = [] // the widget's own socket makes no sense here
    }
    this.outputs[0].type = widget.inputType ?? input.type
    this.outputs[0].name = widget.inputType ?? input.type
  }

  /** A loaded PrimitiveNode gets its widget back once the graph's links exist. */
  onAfterGraphConfigured() {
    const saved = this.widgets_values
    const linkId = this.outputs[0].links?.[0]
    const link = linkId == null ? null : this.graph.links.get?.(linkId) ?? this.graph.links[linkId]
    if (link && !this.widgets?.length) {
      this.onConnectionsChange(LiteGraph.OUTPUT, 0, true, link)
      if (saved?.length && this.widgets?.length) this.widgets[0].value = saved[0]
    }
  }
}

function specOf(def, name) {
  return def.input?.required?.[name] ?? def.input?.optional?.[name] ?? null
}

/** Registers the editor-only nodes. */
export function registerVirtualNodes() {
  LiteGraph.registerNodeType('Reroute', Reroute)
  LiteGraph.registerNodeType('Note', Note)
  LiteGraph.registerNodeType('PrimitiveNode', PrimitiveNode)
}
