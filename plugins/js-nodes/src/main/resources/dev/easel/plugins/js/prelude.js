// Runs once in every sandbox context before any user code. It removes what a pure script must not have (host
// bridges, loaders, time, randomness, weak references), freezes every built-in object and the global object, and
// returns the helpers the Java side calls. Nothing of it stays reachable from user code.
(function () {
  'use strict';
  const G = globalThis;
  const { freeze, getPrototypeOf, getOwnPropertyDescriptor, defineProperty } = Object;
  const ObjectPrototype = Object.prototype;
  const ownKeys = Reflect.ownKeys;
  const apply = Reflect.apply;
  const construct = Reflect.construct;
  const isArray = Array.isArray;
  const PromiseCtor = Promise;
  const promiseResolve = Promise.resolve;
  const promiseThen = Promise.prototype.then;
  const functionToString = Function.prototype.toString;
  const objectToString = Object.prototype.toString;
  const stringify = JSON.stringify;
  const BigIntCtor = BigInt;
  const StringCtor = String;
  const BooleanCtor = Boolean;
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
  const SetCtor = Set;
  const setHas = Set.prototype.has;
  const setAdd = Set.prototype.add;
  const setDelete = Set.prototype.delete;
  const arrayPush = Array.prototype.push;

  // Host bridges, loaders, shell functions and non-deterministic or cross-evaluation state. Most are already off by
  // context options; deleting again costs nothing and guards against an option that changes meaning.
  const removed = ['load', 'loadWithNewGlobal', 'print', 'printErr', 'quit', 'exit', 'readline', 'readbuffer', 'read',
    'Java', 'Packages', 'java', 'javax', 'javafx', 'com', 'org', 'edu', 'Polyglot', 'Graal', 'arguments', 'global',
    'performance', 'WeakRef', 'FinalizationRegistry', 'SharedArrayBuffer', 'Atomics', 'Debug', 'Realm', '$262',
    'eval'];
  for (const name of removed) {
    delete G[name];
  }

  // Scripts are pure functions of their inputs (their results are cached), so there is no clock and no randomness.
  const noRandom = 'Math.random is not available: Easel scripts must give the same result for the same inputs '
    + '(derive numbers from a seed input instead)';
  const noClock = 'the current time is not available: Easel scripts must give the same result for the same inputs '
    + '(pass a date in as an input; new Date(value) works)';
  defineProperty(Math, 'random', { value: function random() { throw new TypeErrorCtor(noRandom); } });
  const OriginalDate = G.Date;
  function Date(...args) {
    if (new.target === undefined || args.length === 0) {
      throw new TypeErrorCtor(noClock);
    }
    return construct(OriginalDate, args, new.target);
  }
  Date.prototype = OriginalDate.prototype;
  Date.UTC = OriginalDate.UTC;
  Date.parse = OriginalDate.parse;
  Date.now = function now() { throw new TypeErrorCtor(noClock); };
  defineProperty(OriginalDate.prototype, 'constructor', { value: Date });
  defineProperty(G, 'Date', { value: Date });

  // Freeze everything reachable from the global object and from the intrinsics that are reachable only through
  // syntax (generator and async function prototypes, iterator prototypes), so no evaluation can leave state behind
  // for the next one in this context.
  function harden(roots) {
    const seen = new SetCtor();
    const stack = roots.slice();
    while (stack.length > 0) {
      const o = stack.pop();
      if (o === null || (typeof o !== 'object' && typeof o !== 'function') || apply(setHas, seen, [o])) {
        continue;
      }
      apply(setAdd, seen, [o]);
      freeze(o);
      apply(arrayPush, stack, [getPrototypeOf(o)]);
      for (const key of ownKeys(o)) {
        const d = getOwnPropertyDescriptor(o, key);
        if ('value' in d) {
          apply(arrayPush, stack, [d.value]);
        } else {
          apply(arrayPush, stack, [d.get, d.set]);
        }
      }
    }
  }
  harden([G, function* () {}, async function () {}, async function* () {}, (function* () {})(),
    (async function* () {})(), [][Symbol.iterator](), new Map().entries(), new Set().values(),
    ''[Symbol.iterator](), /x/[Symbol.matchAll](''), Promise.resolve()]);

  // Errors about a result that cannot leave the sandbox; the Java side recognises them by name.
  class ResultError extends ErrorCtor {
  }
  defineProperty(ResultError.prototype, 'name', { value: 'ResultError' });

  function fail(path, message) {
    throw new ResultError('the result ' + (path === '' ? '' : 'at ' + path + ' ') + message);
  }

  function kindOf(v) {
    return apply(objectToString, v, []).slice(8, -1);
  }

  // A plain-data deep copy of a script's result: numbers, strings, booleans, BigInts, null, arrays and plain objects,
  // within the size caps. Getters are refused rather than called, and nothing but this copy reaches the Java side.
  function snapshot(value, caps) {
    const budget = { elements: caps.maxElements, chars: caps.maxChars };
    const ancestors = new SetCtor();
    function copy(v, depth, path) {
      switch (typeof v) {
        case 'string':
          budget.chars -= v.length;
          if (budget.chars < 0) {
            fail(path, 'holds more than ' + caps.maxChars + ' characters of text');
          }
          return v;
        case 'number':
        case 'boolean':
        case 'bigint':
        case 'undefined':
          return v;
        case 'object':
          if (v === null) {
            return null;
          }
          break;
        default:
          fail(path, 'is a ' + typeof v + '; only numbers, strings, booleans, null, arrays and plain objects '
            + 'can leave a script');
      }
      if (depth >= caps.maxDepth) {
        fail(path, 'nests deeper than ' + caps.maxDepth + ' levels');
      }
      if (apply(setHas, ancestors, [v])) {
        fail(path, 'contains itself (a cycle)');
      }
      apply(setAdd, ancestors, [v]);
      let out;
      if (isArray(v)) {
        const n = v.length;
        budget.elements -= n;
        if (budget.elements < 0) {
          fail(path, 'has more than ' + caps.maxElements + ' elements in all');
        }
        out = [];
        for (let i = 0; i < n; i++) {
          const d = getOwnPropertyDescriptor(v, i);
          if (d !== undefined && !('value' in d)) {
            fail(path + '[' + i + ']', 'is a getter; return plain data');
          }
          const item = copy(d === undefined ? undefined : d.value, depth + 1, path + '[' + i + ']');
          apply(arrayPush, out, [item === undefined ? null : item]);
        }
      } else {
        const proto = getPrototypeOf(v);
        if (proto !== ObjectPrototype && proto !== null) {
          fail(path, 'is a ' + kindOf(v) + ' object; only plain objects and arrays can leave a script');
        }
        out = {};
        for (const key of ownKeys(v)) {
          if (typeof key === 'symbol') {
            continue;
          }
          const d = getOwnPropertyDescriptor(v, key);
          if (!d.enumerable) {
            continue;
          }
          const at = path === '' ? key : path + '.' + key;
          if (!('value' in d)) {
            fail(at, 'is a getter or setter; return plain data');
          }
          budget.elements -= 1;
          budget.chars -= key.length;
          if (budget.elements < 0 || budget.chars < 0) {
            fail(path, 'is larger than ' + caps.maxElements + ' elements or ' + caps.maxChars + ' characters');
          }
          const item = copy(d.value, depth + 1, at);
          if (item !== undefined) {
            defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
          }
        }
      }
      apply(setDelete, ancestors, [v]);
      return out;
    }
    return copy(value, 0, '');
  }

  function text(v) {
    if (typeof v === 'string') {
      return v;
    }
    if (v !== null && typeof v === 'object') {
      return stringify(v, (k, x) => (typeof x === 'bigint' ? StringCtor(x) : x));
    }
    return StringCtor(v);
  }

  function settleInto(box, result) {
    if (result instanceof PromiseCtor) {
      apply(promiseThen, apply(promiseResolve, PromiseCtor, [result]), [
        (v) => { box.done = true; box.value = v; },
        (e) => { box.done = true; box.failed = true; box.error = e; }]);
    } else {
      box.done = true;
      box.value = result;
    }
  }

  const NOTHING = undefined;
  return freeze({
    // Calls fn with args; promise results settle while the job queue drains, before this call returns to Java.
    invoke(fn, ...args) {
      const box = { done: false, failed: false, value: undefined, error: undefined };
      settleInto(box, apply(fn, undefined, args));
      return box;
    },
    // The settled result as plain data, with its text and truthiness when views is true.
    finish(box, caps, views) {
      if (!box.done) {
        throw new ResultError('the script returned a promise that never settled (scripts have no timers or I/O to '
          + 'wait for)');
      }
      if (box.failed) {
        throw box.error;
      }
      if (box.value === undefined) {
        throw new ResultError('the script returned undefined (did it forget to return a value?)');
      }
      const value = snapshot(box.value, caps);
      return views ? { value, text: text(value), truthy: BooleanCtor(value) } : { value };
    },
    // Runs a pack file's loader with a fresh defineNode, so no pack state survives from one evaluation to the next.
    definitions(loader) {
      const defs = [];
      function defineNode(def) {
        if (def === null || typeof def !== 'object') {
          throw new TypeErrorCtor('defineNode expects an object, got ' + (def === null ? 'null' : typeof def));
        }
        apply(arrayPush, defs, [def]);
      }
      apply(loader, undefined, [freeze(defineNode)]);
      return defs;
    },
    // The declared part of each definition (everything but functions), for building schemas on the Java side.
    describe(defs, caps) {
      const out = [];
      for (let i = 0; i < defs.length; i++) {
        const d = defs[i];
        const data = {};
        for (const key of ownKeys(d)) {
          const v = typeof key === 'string' ? d[key] : undefined;
          if (v !== undefined && typeof v !== 'function') {
            defineProperty(data, key, { value: v, enumerable: true, writable: true, configurable: true });
          }
        }
        const described = snapshot(data, caps);
        described.has_execute = typeof d.execute === 'function';
        apply(arrayPush, out, [described]);
      }
      return out;
    },
    node(defs, name) {
      for (let i = 0; i < defs.length; i++) {
        if (defs[i].name === name) {
          return defs[i].execute;
        }
      }
      throw new ErrorCtor('node ' + name + ' is no longer defined by its file');
    },
    sourceOf(fn) {
      return typeof fn === 'function' ? apply(functionToString, fn, []) : null;
    },
    object() {
      return {};
    },
    array() {
      return [];
    },
    put(o, key, value) {
      defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
    },
    push(a, value) {
      apply(arrayPush, a, [value]);
    },
    bigint(decimal) {
      return BigIntCtor(decimal);
    },
    nothing() {
      return NOTHING;
    },
  });
})()
