// Text helpers. Each defineNode call declares one node, in the shape of a ComfyUI node class.

defineNode({
  name: "RepeatText",
  display_name: "Repeat Text",
  category: "text",
  description: "Repeats a text, joined by a separator.",
  inputs: {
    required: {
      text: ["STRING", { multiline: true, default: "" }],
      times: ["INT", { default: 2, min: 1, max: 100, tooltip: "How many copies." }],
    },
    optional: {
      separator: [["", " ", ", ", "\n"], { default: " " }],
    },
  },
  outputs: [["STRING", "text"], ["INT", "length"]],
  execute: ({ text, times, separator = " " }) => {
    const joined = Array(times).fill(text).join(separator);
    return { text: joined, length: joined.length };
  },
});

defineNode({
  name: "PromptTemplate",
  display_name: "Prompt Template",
  category: "text",
  description: "Fills {name} placeholders from a JSON object of values.",
  inputs: {
    required: {
      template: ["STRING", { multiline: true, default: "photo of {subject}, {style}" }],
      values: ["JSON", { tooltip: "An object such as {\"subject\": \"a cat\"}." }],
    },
  },
  outputs: ["STRING"],
  execute: ({ template, values }) =>
    template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole)),
});
