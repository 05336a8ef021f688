// Prints the CIDs the reference JavaScript importer gives each file named on the command line,
// with Kubo's `ipfs add` defaults: CIDv0 (dag-pb leaves) and CIDv1 (raw leaves), 262,144-byte
// chunks, balanced layout, at most 174 links per node. One JSON object per line.
import { createReadStream } from "node:fs";
import { importer } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import { MemoryBlockstore } from "blockstore-core/memory";

async function cidOf(path, cidVersion) {
  const options = {
    cidVersion,
    rawLeaves: cidVersion === 1,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: 262144 }),
    layout: balanced({ maxChildrenPerNode: 174 }),
    wrapWithDirectory: false,
  };
  let last;
  for await (const entry of importer([{ content: createReadStream(path) }], new MemoryBlockstore(), options)) {
    last = entry;
  }
  return last.cid.toString();
}

for (const path of process.argv.slice(2)) {
  const v0 = await cidOf(path, 0);
  const v1 = await cidOf(path, 1);
  process.stdout.write(JSON.stringify({ path, v0, v1 }) + "\n");
}
