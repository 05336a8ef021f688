import { fileURLToPath } from "node:url";
const soljson = fileURLToPath(new URL("./node_modules/solc/soljson.js", import.meta.url));
// The `node` network is the registry's embedded EDR engine (registry.chain.node.EdrNode, which
// sets these variables): the same dev accounts, chain id, genesis time, mining and block gas
// limit as its anvil. Blocks may share a timestamp, as anvil's do, so that the block journal
// can replay blocks mined within one second.
const env = process.env;
export default {
  solidity: {
    version: "0.8.28",
    path: soljson,
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" },
  },
  paths: { sources: "./contracts", artifacts: "./build/hardhat/artifacts", cache: "./build/hardhat/cache" },
  networks: {
    node: {
      type: "edr-simulated",
      chainId: Number(env.REGISTRY_EDR_CHAIN_ID ?? 31337),
      ...(env.REGISTRY_EDR_GENESIS ? { initialDate: new Date(Number(env.REGISTRY_EDR_GENESIS) * 1000) } : {}),
      mining: { auto: env.REGISTRY_EDR_MINING !== "manual", interval: 0, mempool: { order: "fifo" } },
      accounts: { mnemonic: env.REGISTRY_EDR_MNEMONIC ?? "test test test test test test test test test test test junk", count: 10 },
      ...(env.REGISTRY_EDR_GAS_LIMIT ? { blockGasLimit: Number(env.REGISTRY_EDR_GAS_LIMIT) } : {}),
      allowBlocksWithSameTimestamp: true,
    },
  },
};
