package dev.easel.node;

/**
 * Values the engine supplies to a node that asks for them as hidden inputs (ComfyUI's {@code input.hidden}).
 * The value arrives in {@link NodeInputs} under the name the node declared.
 */
public enum HiddenInput {
    /** The whole API-format workflow, as plain Java maps and lists. */
    PROMPT,
    /** The workflow including nodes added by expansion, as plain Java maps and lists. */
    DYNPROMPT,
    /** {@code extra_data.extra_pnginfo} of the request (usually {@code {"workflow": ...}}), as a map. */
    EXTRA_PNGINFO,
    /** This node's id. A node that asks for it gets its id in its cache key (no sharing between copies). */
    UNIQUE_ID,
    /** {@code extra_data.auth_token_comfy_org}. */
    AUTH_TOKEN_COMFY_ORG,
    /** {@code extra_data.api_key_comfy_org}. */
    API_KEY_COMFY_ORG
}
