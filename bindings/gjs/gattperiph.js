// SPDX-License-Identifier: LGPL-2.1-or-later
//
// gattperiph.js: promises for libgattperiph in GJS. Loading it makes every
// *_async method of the GattPeriph namespace (instance and static, e.g.
// app.register_async, adv.start_async, chrc.send_value_async,
// agent.register_async, GattPeriph.Adapter.find_async) return a Promise of
// its *_finish's result when called without a callback; trailing arguments
// left out (the cancellable) are null. With a callback the call is the
// introspected one, unchanged. Rejections are the GLib.Errors *_finish
// throws; cancel through a Gio.Cancellable argument.
//
// It is both a legacy GJS module and a side-effect ES module (no import or
// export statements), installed in GJS's search path (datadir/gjs-1.0):
//
//   const {GattPeriph} = imports.gattperiph;           // legacy
//   import GattPeriph from 'gi://GattPeriph?version=1.0';
//   imports.gattperiph;                               // in an ES module too
//
// (docs/gjs.md). The promisified methods are the same objects GJS's own
// `gi://GattPeriph` gives, so both imports see them.

/* exported GattPeriph, promisify */

var promisify = function (target, asyncName, finishName, finishOn) {
    const original = target[asyncName];
    if (typeof original !== 'function' || original.__gattperiphPromise)
        return false;
    const nIn = original.length - 1;     // the in-arguments before the callback
    const wrapper = function (...args) {
        if (args.some(a => typeof a === 'function'))
            return original.apply(this, args);
        while (args.length < nIn)
            args.push(null);
        return new Promise((resolve, reject) => {
            original.call(this, ...args, (source, result) => {
                try {
                    resolve((source ?? finishOn)[finishName](result));
                } catch (e) {
                    reject(e);
                }
            });
        });
    };
    wrapper.__gattperiphPromise = true;
    wrapper.__gattperiphOriginal = original;
    target[asyncName] = wrapper;
    return true;
};

var GattPeriph = (function () {
    if (!imports.gi.versions.GattPeriph)
        imports.gi.versions.GattPeriph = '1.0';
    const ns = imports.gi.GattPeriph;
    if (ns.__gattperiphPromises)
        return ns;
    for (const key of Object.keys(ns)) {
        const klass = ns[key];
        if (typeof klass !== 'function' || !klass.prototype || !klass.$gtype)
            continue;
        for (const [target, finishOn] of [[klass.prototype, null], [klass, klass]]) {
            for (const name of Object.getOwnPropertyNames(target)) {
                const base = name.endsWith('_async') ? name.slice(0, -'_async'.length) : null;
                if (base && typeof target[`${base}_finish`] === 'function')
                    promisify(target, name, `${base}_finish`, finishOn);
            }
        }
    }
    ns.__gattperiphPromises = true;
    return ns;
})();
