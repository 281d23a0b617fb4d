/** io/: extxyz/xyz, DCD, input.json (+ JSON Schema), thermo log, checkpoints and the observers that write them (DESIGN.md §2). */
export { InputError, formatKeyPath, formatLocation, type InputLocation } from './errors.js';
export { parseJsonLocated, type LocatedJson, type TextPosition } from './json-locate.js';
export { parseExtxyz, parseProperties, readExtxyz, type ExtxyzColumn, type XyzFrame } from './extxyz.js';
export { systemOfFrame } from './frame-system.js';
export { formatExtxyz, type ExtxyzFrameOut, type ExtxyzWriteOptions } from './extxyz-write.js';
export { formatInfoValue, interpretValue, parseCommentPairs, type InfoValue } from './extxyz-comment.js';
export { akmaTime_fs, createDcdWriter, dcdKeepFrames, dcdUnitCell, openDcdForAppend, type DcdHeader, type DcdWriter, type DcdWriterOptions } from './dcd.js';
export { readDcd, type DcdFile, type DcdFrame } from './dcd-read.js';
export { inputJsonSchema, inputSchema, type InputJson } from './input-schema.js';
export { keyError, parseConfig, readConfigText } from './config-file.js';
export { loadRunSpec, parseRunSpec, type RunSpec, type TrajectoryFormat, type TrajectorySpec } from './config.js';
export { THERMO_COLUMNS, createThermoLog, thermoCsvKeepBytes, thermoCsvRow, thermoTableHeader, thermoTableRow, type ThermoLogOptions } from './thermo-log.js';
export { createDcdTrajectory, createExtxyzTrajectory, extxyzKeepBytes, type TrajectoryOptions } from './trajectory.js';
export { CHECKPOINT_PROTO, decodeCheckpoint, encodeCheckpoint, readCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint.js';
export { createCheckpointObserver, type CheckpointObserver, type CheckpointObserverOptions } from './checkpoint-observer.js';
