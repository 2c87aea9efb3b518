package dev.easel.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ThreadSettingsTest {

    @AfterEach
    void clearProperties() {
        System.clearProperty(ThreadSettings.ATEN_PROPERTY);
        System.clearProperty(ThreadSettings.BLAS_PROPERTY);
    }

    @Test
    void defaultsAreOneAtenThreadAndOneBlasThreadPerCore() {
        ThreadSettings d = ThreadSettings.defaults();
        assertEquals(1, d.atenThreads());
        assertTrue(d.blasThreads() >= 1 && d.blasThreads() <= Runtime.getRuntime().availableProcessors());
    }

    @Test
    void systemPropertiesOverrideTheDefaults() {
        System.setProperty(ThreadSettings.ATEN_PROPERTY, "3");
        System.setProperty(ThreadSettings.BLAS_PROPERTY, " 5 ");
        assertEquals(new ThreadSettings(3, 5), ThreadSettings.fromSystemProperties());
    }

    @Test
    void badPropertyIsReportedByName() {
        System.setProperty(ThreadSettings.BLAS_PROPERTY, "many");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ThreadSettings::fromSystemProperties);
        assertTrue(e.getMessage().contains("easel.threads.blas"), e.getMessage());
        System.setProperty(ThreadSettings.BLAS_PROPERTY, "0");
        assertThrows(IllegalArgumentException.class, ThreadSettings::fromSystemProperties);
    }
}
