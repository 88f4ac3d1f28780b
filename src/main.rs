//! Mounts the demo into `<body>`.

fn main() {
    leptos::mount::mount_to_body(webrtc_demo::App);
}
