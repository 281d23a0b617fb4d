/** models/nequip: the NequIP model builder. */
export { createNequip } from './model.js';
export { nequipOptionsSchema, nequipSettings, type NequipOptions, type NequipSettings } from './options.js';
export { convNetLayer, hiddenIrreps, tpPathExists } from './convnet.js';
export { dumpValues, importNequip, NequipImportError, type ImportedNequip, type NequipDump, type NequipDumpModule, type NequipDumpTensor } from './import-nequip.js';
