/**
 * Python's text conventions, for nodes whose ComfyUI originals expose them to users: {@code str()} of values,
 * {@code json.dumps}, and string length and slicing counted in code points.
 */
package dev.easel.nodes.core.pycompat;
