// Drives particle-api-js 12.0.3's product firmware calls against a running Boson server.
// Run by server/src/test/java/io/boson/compat/ParticleFirmwareCompatibilityTest.java.
//
// Environment:
//   BOSON_BASE_URL, BOSON_TOKEN   the server and a token of the product's owner
//   BOSON_PRODUCT                 the product id, with a group "beta"
//   BOSON_DEVICE_ID               a product device (connected by the test, running version 1)
//   BOSON_DEV_DEVICE_ID           a product device to mark as a development device
// Output: the step lines of steps.mjs. Steps: uploadProductFirmware:2, uploadProductFirmware:3, listProductFirmware,
// releaseProductFirmware:default, releaseProductFirmware:groups, releaseProductFirmware:intelligent,
// markAsDevelopmentDevice, lockDeviceProductFirmware, unlockDeviceProductFirmware.
import Particle from 'particle-api-js';
import { steps } from './steps.mjs';

const baseUrl = process.env.BOSON_BASE_URL;
const auth = process.env.BOSON_TOKEN;
const product = process.env.BOSON_PRODUCT;
const deviceId = process.env.BOSON_DEVICE_ID;
const devDeviceId = process.env.BOSON_DEV_DEVICE_ID;

const particle = new Particle({ baseUrl });
const { step, fail, failures } = steps(particle, 1000);

function image(size, seed) {
	const b = Buffer.alloc(size);
	for (let i = 0; i < size; i++) b[i] = (i * 31 + seed * 17) & 0xff;
	b[0] = 0;
	return b;
}

async function main() {
	for (const version of [2, 3]) {
		await step(`uploadProductFirmware:${version}`, () => particle.uploadProductFirmware({ product, version,
			title: `v${version}`, description: 'from api-js', file: image(40000, version), auth }));
	}
	await step('listProductFirmware', () => particle.listProductFirmware({ product, auth }),
		r => r.body.map(f => ({ version: f.version, size: f.size, title: f.title })));
	await step('releaseProductFirmware:default', () => particle.releaseProductFirmware({ product, version: 2,
		product_default: true, auth }));
	await step('releaseProductFirmware:groups', () => particle.releaseProductFirmware({ product, version: 3,
		groups: ['beta'], auth }));
	await step('releaseProductFirmware:intelligent', () => particle.releaseProductFirmware({ product, version: 3,
		groups: ['beta'], intelligent: true, auth }));
	await step('markAsDevelopmentDevice', () => particle.markAsDevelopmentDevice({ deviceId: devDeviceId, product, auth }));
	await step('lockDeviceProductFirmware', () => particle.lockDeviceProductFirmware({ deviceId, desiredFirmwareVersion: 2,
		flash: true, product, auth }));
	await step('unlockDeviceProductFirmware', () => particle.unlockDeviceProductFirmware({ deviceId, product, auth }));
}

try {
	await main();
} catch (e) {
	fail('script', e);
}
process.exit(failures() === 0 ? 0 : 1);
