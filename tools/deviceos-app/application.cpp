// Tiny test application for the Device OS gcc virtual device (boson cloud tests).
#include "Particle.h"

SYSTEM_MODE(AUTOMATIC);

int counter = 0;
String name = "vdev";
static bool helloSent = false;
static unsigned long lastTick = 0;

// Returns 42 for "on", otherwise the length of the argument.
int ledFn(String arg) {
    if (arg == "on") {
        return 42;
    }
    return arg.length();
}

// Echoes every "boson-test" event back as "boson-echo" with the same data.
void testHandler(const char* event, const char* data) {
    Particle.publish("boson-echo", data ? data : "", PRIVATE);
}

void setup() {
    Particle.function("led", ledFn);
    Particle.variable("counter", counter);
    Particle.variable("name", name);
    Particle.subscribe("boson-test", testHandler);
}

void loop() {
    if (!helloSent && Particle.connected()) {
        helloSent = true;
        Particle.publish("boson-hello", "hi", PRIVATE);
    }
    unsigned long now = millis();
    if (now - lastTick >= 1000) {
        lastTick = now;
        counter++;
    }
}
