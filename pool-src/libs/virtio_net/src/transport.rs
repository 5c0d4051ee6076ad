//! One interface over both transports, and the device initialization sequence of the virtio
//! specification (3.1.1): reset, ACKNOWLEDGE, DRIVER, feature negotiation, FEATURES_OK, queues,
//! DRIVER_OK.

use crate::mmio::Mmio;
use crate::pci::Pci;

pub const STATUS_ACKNOWLEDGE: u8 = 1;
pub const STATUS_DRIVER: u8 = 2;
pub const STATUS_DRIVER_OK: u8 = 4;
pub const STATUS_FEATURES_OK: u8 = 8;
pub const STATUS_FAILED: u8 = 128;

/// VIRTIO_F_VERSION_1: the device follows virtio 1.x (little-endian, modern layout).
pub const F_VERSION_1: u64 = 1 << 32;

pub enum Transport {
    Mmio(Mmio),
    Pci(Pci),
}

macro_rules! both {
    ($self:ident, $t:ident => $e:expr) => {
        match $self {
            Transport::Mmio($t) => $e,
            Transport::Pci($t) => $e,
        }
    };
}

impl Transport {
    pub fn status(&self) -> u8 {
        both!(self, t => t.status())
    }
    pub fn set_status(&self, status: u8) {
        both!(self, t => t.set_status(status))
    }
    pub fn device_features(&self) -> u64 {
        both!(self, t => t.device_features(0) as u64 | (t.device_features(1) as u64) << 32)
    }
    pub fn set_driver_features(&self, features: u64) {
        both!(self, t => {
            t.set_driver_features(0, features as u32);
            t.set_driver_features(1, (features >> 32) as u32);
        })
    }
    pub fn queue_max(&self, queue: u16) -> u16 {
        both!(self, t => t.queue_max(queue))
    }
    pub fn enable_queue(&self, queue: u16, size: u16, desc: u64, driver: u64, device: u64) {
        both!(self, t => t.enable_queue(queue, size, desc, driver, device))
    }
    pub fn notify(&self, queue: u16) {
        both!(self, t => t.notify(queue))
    }
    pub fn config_read8(&self, offset: usize) -> u8 {
        both!(self, t => t.config_read8(offset))
    }

    /// Resets the device and negotiates features: the device's features that are in `wanted`
    /// (which must include VERSION_1), or an error after setting FAILED.
    pub fn negotiate(&self, wanted: u64) -> Result<u64, &'static str> {
        self.set_status(0);
        while self.status() != 0 {
            core::hint::spin_loop();
        }
        self.set_status(STATUS_ACKNOWLEDGE);
        self.set_status(STATUS_ACKNOWLEDGE | STATUS_DRIVER);
        let offered = self.device_features();
        if offered & F_VERSION_1 == 0 {
            self.set_status(STATUS_FAILED);
            return Err("device does not offer VIRTIO_F_VERSION_1");
        }
        let accepted = offered & wanted;
        self.set_driver_features(accepted);
        let status = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK;
        self.set_status(status);
        if self.status() & STATUS_FEATURES_OK == 0 {
            self.set_status(STATUS_FAILED);
            return Err("device refused the negotiated features");
        }
        Ok(accepted)
    }

    /// Sets DRIVER_OK once the queues are enabled.
    pub fn ready(&self) {
        self.set_status(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
    }
}
