//! The camera and microphone pickers in plain Rust: the devices there are, the ones the person chose, the one
//! that stopped by itself, and what each picker offers. Tested natively.
//!
//! The browser layer ([`crate::webrtc::LocalMedia`]) captures with the parts of a [`MediaChoice`] and lists the
//! devices as plain `(deviceId, label)` pairs; the media controls keep these in signals and show them.
//!
//! One file of about 230 lines of code (and as many of tests) because the choice, the device lists and the
//! options built from them change together.

/// The sizes offered: `(width, height)`.
pub const RESOLUTIONS: [(u32, u32); 3] = [(320, 240), (640, 480), (1280, 720)];

/// Which devices and resolution to capture with; `None` is the browser's default.
///
/// It lives here rather than beside `getUserMedia` because the controls reason about it (a pick writes it, a
/// capture's real settings are adopted into it, an unplugged device is forgotten); the browser layer takes its
/// parts as plain arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaChoice {
    /// `deviceId` of the camera.
    pub camera: Option<String>,
    /// `deviceId` of the microphone.
    pub microphone: Option<String>,
    /// Width and height of the video.
    pub resolution: Option<(u32, u32)>,
}

impl MediaChoice {
    /// The chosen camera (`video`) or microphone.
    pub fn device(&self, video: bool) -> Option<&str> {
        if video {
            self.camera.as_deref()
        } else {
            self.microphone.as_deref()
        }
    }

    /// Chooses the camera (`video`) or the microphone.
    pub fn set_device(&mut self, video: bool, id: String) {
        *if video {
            &mut self.camera
        } else {
            &mut self.microphone
        } = Some(id);
    }

    /// Takes what a capture really uses (`in_use`) in place of the choice, keeping the choice where the capture
    /// says nothing. True if the choice changed.
    pub fn adopt(&mut self, in_use: MediaChoice) -> bool {
        let merged = MediaChoice {
            camera: in_use.camera.or_else(|| self.camera.clone()),
            microphone: in_use.microphone.or_else(|| self.microphone.clone()),
            resolution: in_use.resolution.or(self.resolution),
        };
        let changed = *self != merged;
        *self = merged;
        changed
    }

    /// Forgets a chosen device that is not plugged in any more, so the next capture takes the default. A list
    /// whose ids are all hidden (before the person allowed the devices) proves nothing. True if it changed.
    pub fn forget_missing(&mut self, devices: &Devices) -> bool {
        let mut changed = false;
        for (chosen, listed) in [
            (&mut self.camera, &devices.cameras),
            (&mut self.microphone, &devices.microphones),
        ] {
            let missing = chosen.as_ref().is_some_and(|id| {
                listed.iter().any(|d| !d.id.is_empty()) && !listed.iter().any(|d| d.id == *id)
            });
            if missing {
                *chosen = None;
                changed = true;
            }
        }
        changed
    }
}

/// A camera or a microphone, as `enumerateDevices()` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// `deviceId`, what a constraint names. Empty until the page may use the devices.
    pub id: String,
    /// `label`, for example "FaceTime HD Camera". Empty until the person allowed the camera or microphone.
    pub label: String,
}

/// Every camera and microphone, in the browser's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Devices {
    /// The video inputs.
    pub cameras: Vec<Device>,
    /// The audio inputs.
    pub microphones: Vec<Device>,
}

impl Devices {
    /// From the browser layer's `(deviceId, label)` pairs.
    pub fn listed(cameras: Vec<(String, String)>, microphones: Vec<(String, String)>) -> Self {
        let devices = |pairs: Vec<(String, String)>| {
            pairs
                .into_iter()
                .map(|(id, label)| Device { id, label })
                .collect()
        };
        Devices {
            cameras: devices(cameras),
            microphones: devices(microphones),
        }
    }

    /// The cameras (`video`) or the microphones.
    pub fn of(&self, video: bool) -> &[Device] {
        if video {
            &self.cameras
        } else {
            &self.microphones
        }
    }

    /// True while a device has no name: the person has not allowed the camera or microphone yet.
    pub fn names_hidden(&self) -> bool {
        self.cameras
            .iter()
            .chain(&self.microphones)
            .any(|device| device.label.is_empty())
    }

    /// A device's name for a message, in quotes (empty quotes if it is not listed).
    pub fn quoted_name(&self, video: bool, id: &str) -> String {
        let label = self
            .of(video)
            .iter()
            .find(|device| device.id == id)
            .map_or("", |device| &device.label);
        format!("\u{201c}{label}\u{201d}")
    }
}

/// Which device stopped by itself (unplugged, or taken by another program): the person must pick one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lost {
    /// The camera stopped.
    pub camera: bool,
    /// The microphone stopped.
    pub microphone: bool,
}

impl Lost {
    /// Whether the camera (`video`) or the microphone stopped.
    pub fn of(self, video: bool) -> bool {
        if video {
            self.camera
        } else {
            self.microphone
        }
    }

    /// Marks the camera (`video`) or the microphone as stopped, or as running again.
    pub fn set(&mut self, video: bool, lost: bool) {
        *if video {
            &mut self.camera
        } else {
            &mut self.microphone
        } = lost;
    }
}

/// "camera" or "microphone", for messages.
pub fn what(video: bool) -> &'static str {
    if video {
        "camera"
    } else {
        "microphone"
    }
}

/// A device picker's options, `(deviceId, name)`: "Camera 2" while names are hidden, led by a placeholder
/// when the one in use stopped, or a single "No camera" when there is none.
pub fn device_options(devices: &[Device], video: bool, lost: bool) -> Vec<(String, String)> {
    let (noun, none) = if video {
        ("Camera", "No camera")
    } else {
        ("Microphone", "No microphone")
    };
    let mut options: Vec<(String, String)> = devices
        .iter()
        .enumerate()
        .map(|(i, device)| {
            let name = if device.label.is_empty() {
                format!("{noun} {}", i + 1)
            } else {
                device.label.clone()
            };
            (device.id.clone(), name)
        })
        .collect();
    if options.is_empty() {
        options.push((String::new(), none.to_owned()));
    } else if lost {
        options.insert(0, (String::new(), "Stopped: choose one".into()));
    }
    options
}

/// The value a device picker shows as picked: the chosen device, or none (the placeholder) once it stopped.
pub fn picked(choice: &MediaChoice, video: bool, lost: Lost) -> String {
    if lost.of(video) {
        return String::new();
    }
    choice.device(video).unwrap_or_default().to_owned()
}

/// The size picker's options: the usual sizes, the chosen one if it is another, and "Default" before any.
pub fn size_options(chosen: Option<(u32, u32)>) -> Vec<(String, String)> {
    let mut sizes = RESOLUTIONS.to_vec();
    match chosen {
        Some(size) if !sizes.contains(&size) => sizes.push(size),
        _ => {}
    }
    let mut options: Vec<(String, String)> = sizes
        .into_iter()
        .map(|size| (size_text(size), size_text(size)))
        .collect();
    if chosen.is_none() {
        options.insert(0, (String::new(), "Default".into()));
    }
    options
}

/// `1280x720`.
pub fn size_text((width, height): (u32, u32)) -> String {
    format!("{width}x{height}")
}

/// The size in `1280x720`, if it is one.
pub fn parse_size(text: &str) -> Option<(u32, u32)> {
    let (width, height) = text.split_once('x')?;
    Some((width.parse().ok()?, height.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(id: &str, label: &str) -> Device {
        Device {
            id: id.into(),
            label: label.into(),
        }
    }

    fn pair(id: &str, label: &str) -> (String, String) {
        (id.into(), label.into())
    }

    #[test]
    fn sizes_read_back_as_written() {
        for size in RESOLUTIONS {
            assert_eq!(parse_size(&size_text(size)), Some(size));
        }
        assert_eq!(parse_size(""), None);
        assert_eq!(parse_size("1280"), None);
        assert_eq!(parse_size("axb"), None);
    }

    #[test]
    fn size_options_include_the_chosen_one() {
        let values = |chosen| {
            size_options(chosen)
                .into_iter()
                .map(|(value, _)| value)
                .collect::<Vec<_>>()
        };
        assert_eq!(values(None), ["", "320x240", "640x480", "1280x720"]);
        assert_eq!(values(Some((640, 480))), ["320x240", "640x480", "1280x720"]);
        assert_eq!(
            values(Some((10000, 10000))),
            ["320x240", "640x480", "1280x720", "10000x10000"]
        );
    }

    #[test]
    fn devices_are_numbered_until_their_names_are_known() {
        let hidden = device_options(&[device("", ""), device("", "")], true, false);
        assert_eq!(hidden[0].1, "Camera 1");
        assert_eq!(hidden[1].1, "Camera 2");
        let named = device_options(&[device("a", "Front")], true, false);
        assert_eq!(named, [("a".to_owned(), "Front".to_owned())]);
    }

    #[test]
    fn a_stopped_device_asks_for_a_choice_and_none_says_so() {
        let lost = device_options(&[device("a", "Front")], true, true);
        assert_eq!(lost.len(), 2);
        assert_eq!(lost[0].0, "");
        assert_eq!(
            device_options(&[], false, false),
            [(String::new(), "No microphone".to_owned())]
        );
    }

    #[test]
    fn a_picker_shows_the_choice_until_its_device_stops() {
        let mut choice = MediaChoice::default();
        assert_eq!(picked(&choice, true, Lost::default()), "");
        choice.set_device(true, "cam".into());
        choice.set_device(false, "mic".into());
        let mut lost = Lost::default();
        assert_eq!(picked(&choice, true, lost), "cam");
        lost.set(true, true);
        assert_eq!(picked(&choice, true, lost), "", "the placeholder");
        assert_eq!(picked(&choice, false, lost), "mic");
        lost.set(true, false);
        assert_eq!(picked(&choice, true, lost), "cam");
    }

    #[test]
    fn a_capture_is_adopted_where_it_says_something() {
        let mut choice = MediaChoice {
            camera: Some("picked".into()),
            microphone: Some("mic".into()),
            resolution: Some((320, 240)),
        };
        let in_use = MediaChoice {
            camera: Some("real".into()),
            microphone: None,
            resolution: None,
        };
        assert!(choice.adopt(in_use.clone()));
        assert_eq!(choice.camera.as_deref(), Some("real"));
        assert_eq!(choice.microphone.as_deref(), Some("mic"));
        assert_eq!(choice.resolution, Some((320, 240)));
        assert!(!choice.adopt(in_use), "the same again changes nothing");
    }

    #[test]
    fn an_unplugged_device_is_forgotten_but_hidden_ids_prove_nothing() {
        let mut choice = MediaChoice {
            camera: Some("gone".into()),
            microphone: Some("mic".into()),
            resolution: None,
        };
        let hidden = Devices::listed(vec![pair("", "")], vec![pair("", "")]);
        assert!(!choice.forget_missing(&hidden));
        assert_eq!(choice.camera.as_deref(), Some("gone"));

        let listed = Devices::listed(vec![pair("cam", "Front")], vec![pair("mic", "Mic")]);
        assert!(choice.forget_missing(&listed));
        assert_eq!(choice.camera, None);
        assert_eq!(choice.microphone.as_deref(), Some("mic"));
        assert!(!choice.forget_missing(&listed));
    }

    #[test]
    fn names_are_quoted_and_hidden_until_allowed() {
        let devices = Devices::listed(vec![pair("cam", "Front")], vec![pair("", "")]);
        assert!(devices.names_hidden());
        assert_eq!(devices.quoted_name(true, "cam"), "\u{201c}Front\u{201d}");
        assert_eq!(devices.quoted_name(true, "other"), "\u{201c}\u{201d}");
        assert_eq!(devices.of(false).len(), 1);
        assert!(!Devices::listed(vec![pair("cam", "Front")], vec![]).names_hidden());
        assert_eq!(what(true), "camera");
        assert_eq!(what(false), "microphone");
    }
}
