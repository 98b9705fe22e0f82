// Drives particle-api-js 12.0.3's usage calls (SIM data usage) against a running Boson server.
// Run by server/src/test/java/io/boson/compat/ParticleUsageCompatibilityTest.java.
//
// Environment:
//   BOSON_BASE_URL, BOSON_TOKEN     the server and a token of the product's owner
//   BOSON_PRODUCT                   the product id
//   BOSON_ICCID                     the ICCID a product device reported in its describe
// Output: the step lines of steps.mjs. Steps: getSIMDataUsage, getSIMDataUsage:product, getFleetDataUsage.
import Particle from 'particle-api-js';
import { steps } from './steps.mjs';

const baseUrl = process.env.BOSON_BASE_URL;
const auth = process.env.BOSON_TOKEN;
const product = process.env.BOSON_PRODUCT;
const iccid = process.env.BOSON_ICCID;

const particle = new Particle({ baseUrl });
const { step, fail, failures } = steps(particle, 1000);

async function main() {
	await step('getSIMDataUsage', () => particle.getSIMDataUsage({ iccid, auth }));
	await step('getSIMDataUsage:product', () => particle.getSIMDataUsage({ iccid, product, auth }));
	await step('getFleetDataUsage', () => particle.getFleetDataUsage({ product, auth }));
}

try {
	await main();
} catch (e) {
	fail('script', e);
}
process.exit(failures() === 0 ? 0 : 1);
