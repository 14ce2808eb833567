// The config (docs/contract.md §4a) for browser and Node; loadConfigFile lives in ./config_file.ts (Node only).
export { DEFAULT_CONFIG, defaultsFor, decodeLength, type Config, type InitName, type ModelName, type OptimizerName, type TaskName, type TokenizeName } from './config.ts';
export { validateConfig, mergeConfig, keyProblems } from './validate.ts';
export { parseKeyValues } from './keyvalues.ts';
export { CONFIG_KEYS, MAX_VOCAB, isConfigKey, type ConfigKey } from './rules.ts';
