// The step protocol shared by the api-js scripts: one line per step on stdout.
//   OK <step> <json>     the call resolved; <json> is what the caller of api-js would use
//   FAIL <step> <json>   the call rejected; <json> = {statusCode, errorDescription, body, message}
//   READY <stream>       the event stream is open and its listener attached; the test now publishes
//   SKIP <stream> <json> an event that arrived on the stream but is not the one waited for

export function line(kind, step, value) {
	process.stdout.write(`${kind} ${step}${value === undefined ? '' : ' ' + JSON.stringify(value ?? null)}\n`);
}

export function describeError(e) {
	if (e === null || typeof e !== 'object') {
		return { message: String(e) };
	}
	return {
		statusCode: e.statusCode,
		errorDescription: e.errorDescription,
		shortErrorDescription: e.shortErrorDescription,
		// api-js puts the whole HTTP response under `error`; keep only a message from it.
		error: e.error instanceof Error ? e.error.message : (typeof e.error === 'string' ? e.error : undefined),
		body: e.body,
		message: e.message
	};
}

/** Steps against one Particle client; `failures()` counts the failed ones. */
export function steps(particle, eventWaitMs) {
	let failures = 0;

	/** Runs one step; prints OK with pick(result) or FAIL with the error. Returns the result or undefined. */
	async function step(name, call, pick = r => r.body) {
		try {
			const result = await call();
			line('OK', name, pick(result));
			return result;
		} catch (e) {
			failures++;
			line('FAIL', name, describeError(e));
			return undefined;
		}
	}

	/** Opens a stream, prints READY, and resolves with the first event named `expected` (others are SKIPped). */
	async function streamStep(name, options, expected) {
		let stream;
		try {
			stream = await particle.getEventStream(options);
		} catch (e) {
			failures++;
			line('FAIL', name, describeError(e));
			return;
		}
		try {
			const event = await new Promise((resolve, reject) => {
				const timer = setTimeout(() => reject({ message: `no '${expected}' event within ${eventWaitMs} ms` }), eventWaitMs);
				stream.on('event', (e) => {
					if (e.name === expected) {
						clearTimeout(timer);
						resolve(e);
					} else {
						line('SKIP', name, e);
					}
				});
				stream.on('error', (e) => line('SKIP', name, { streamError: describeError(e) }));
				// Attached before READY, so the test's publish cannot race the listener.
				line('READY', name);
			});
			line('OK', name, event);
		} catch (e) {
			failures++;
			line('FAIL', name, describeError(e));
		} finally {
			stream.abort();
		}
	}

	function fail(name, e) {
		failures++;
		line('FAIL', name, describeError(e));
	}

	return { step, streamStep, fail, failures: () => failures };
}
