/** io/: extxyz/xyz, DCD, input.json (+ JSON Schema), thermo log, checkpoints and the observers that write them (DESIGN.md §2). */
export { InputError, OutputError, describeFsError, formatKeyPath, formatLocation, type InputLocation } from './errors.js';
export { clobberMessage, findClobber, realPath, sameFile, type Clobber, type NamedPath } from './output-paths.js';
export { checkWritable, temporaryPath, writeFileAtomic } from './atomic-write.js';
export { openOutputFile, PAGE_BYTES, type OutputFile, type OutputFileOptions } from './output-file.js';
export { extxyzFrameWrites, type PositionedWrite } from './extxyz-append.js';
export { parseJsonLocated, type LocatedJson, type TextPosition } from './json-locate.js';
export { atomLine, parseExtxyz, parseProperties, readExtxyz, type ExtxyzColumn, type XyzFrame } from './extxyz.js';
export { systemOfFrame } from './frame-system.js';
export { parsePoscar } from './poscar.js';
export { parseLammpsData } from './lammps-data.js';
export { formatLammpsData, type LammpsDataInput, type LammpsDataOptions } from './lammps-data-write.js';
export { readStructure, STRUCTURE_FORMATS, structureFormatOf, type StructureFormat } from './structure.js';
export { CHEMICAL_SYMBOLS, isChemicalSymbol } from './elements.js';
export { formatExtxyz, type ExtxyzColumnOut, type ExtxyzFrameOut, type ExtxyzWriteOptions } from './extxyz-write.js';
export { formatInfoValue, interpretValue, parseCommentPairs, type InfoValue } from './extxyz-comment.js';
export { akmaTime_fs, createDcdWriter, dcdKeepFrames, dcdUnitCell, openDcdForAppend, type DcdHeader, type DcdWriter, type DcdWriterOptions } from './dcd.js';
export { readDcd, type DcdFile, type DcdFrame } from './dcd-read.js';
export { inputJsonSchema, inputSchema, potentialSchema, type InputJson } from './input-schema.js';
export { keyError, parseConfig, readConfigText } from './config-file.js';
export { loadRunSpec, parseRunSpec, type RunSpec, type TrajectoryFormat, type TrajectorySpec } from './config.js';
export { THERMO_COLUMNS, createThermoLog, thermoColumns, thermoCsvKeepBytes, thermoCsvRow, thermoTableHeader, thermoTableRow, type ThermoColumnSet, type ThermoLogOptions } from './thermo-log.js';
export { cellForceToBar, createRelaxLog, relaxLogColumns, type RelaxLog, type RelaxLogOptions, type RelaxLogRow } from './relax-log.js';
export { createDcdTrajectory, createExtxyzTrajectory, extxyzKeepBytes, type TrajectoryOptions } from './trajectory.js';
export { CHECKPOINT_PROTO, decodeCheckpoint, encodeCheckpoint, readCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint.js';
export { createCheckpointObserver, type CheckpointObserver, type CheckpointObserverOptions } from './checkpoint-observer.js';
export { axisTicks, svgPlot, tickLabel, type PlotOptions, type PlotPanel, type PlotSeries } from './svg-plot.js';
export {
  ByteReader,
  decodeHeader,
  decodePosData,
  encodeForceReady,
  encodeHeader,
  initBatchSize,
  IPI_HEADER_BYTES,
  IPI_SERVER_MESSAGES,
  IpiConnectionClosed,
  IpiProtocolError,
  posDataAtomCount,
  POSDATA_HEAD_BYTES,
  type IpiInit,
  type IpiMessage,
  type IpiPositions,
} from './ipi-protocol.js';
export { IpiAtomCountError, runIpiDriver, type IpiDriverOptions, type IpiResult, type IpiSession, type IpiStream } from './ipi-driver.js';
export { connectIpi, describeAddress, IPI_DEFAULT_PORT, IPI_UNIX_PREFIX, unixSocketPath, type ConnectOptions, type IpiAddress } from './ipi-socket.js';
