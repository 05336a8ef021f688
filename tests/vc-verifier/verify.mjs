// Verifies one of the registry's credentials with Digital Bazaar's implementations, offline:
// @digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite, and the credential's revocation bit
// with vc-bitstring-status-list (its status list credential verified the same way).
//
// Reads from standard input {"credential": {...}, "documents": {"<url>": {...}}, "now": ISO}:
// the moment to check validity at (the registry's clock is its chain's), and the documents
// the registry serves (its context, its controller document, its status list), added to the
// security document loader's own W3C contexts; nothing is fetched. Writes
// {"verified": bool, "revoked": bool | null, "error": string | null} to standard output.
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {securityLoader} from '@digitalbazaar/security-document-loader';

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const {credential, documents, now} = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const loader = securityLoader();
for(const [url, document] of Object.entries(documents)) {
  loader.addStatic(url, document);
  // A controller document's keys are loaded by their own ids.
  for(const method of document.verificationMethod ?? []) {
    loader.addStatic(method.id, {'@context': document['@context'], ...method});
  }
}
const documentLoader = loader.build();
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});

function reason(error) {
  if(!error) {
    return null;
  }
  // A VerificationError gathers the errors of every proof and check in `errors`.
  const errors = Array.isArray(error) ? error : (error.errors ?? [error]);
  return errors.map(e => e.message + (e.cause ? ` (${e.cause.message})` : '')).join('; ');
}

const result = await vc.verifyCredential({
  credential, suite, documentLoader, checkStatus, now: new Date(now)
});
const statuses = result.statusResult?.results ?? [];
const revoked = statuses.length ? statuses.some(s => s.status === true) : null;
process.stdout.write(JSON.stringify({
  verified: result.verified,
  revoked,
  error: reason(result.error) ?? reason(result.statusResult?.error)
}) + '\n');
