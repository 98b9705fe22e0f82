package io.boson.device;

/** The MQTT protocol level a device speaks; the cloud accepts both (protocol section 1). */
public enum MqttVersion {
    MQTT_3_1_1,
    /** The default: only MQTT 5 tells a device why a publish was refused or rate limited. */
    MQTT_5
}
