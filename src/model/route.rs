//! Which page an address shows. Two routes do not need a router (leptos_router cost 54 KB of gzipped wasm):
//! the path is matched here once, at load, and links between the pages are ordinary page loads.

/// A page of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/`: the loopback demo.
    Demo,
    /// `/room/<id>`: a room; the id is checked by the room page, which explains a bad one.
    Room(String),
    /// Anything else.
    NotFound,
}

impl Route {
    /// The page for `path` (`location.pathname`). A trailing slash is ignored.
    pub fn of(path: &str) -> Route {
        let path = match path.strip_suffix('/') {
            Some(trimmed) if !trimmed.is_empty() => trimmed,
            _ => path,
        };
        if path == "/" || path.is_empty() {
            return Route::Demo;
        }
        match path.strip_prefix("/room/") {
            Some(id) if !id.is_empty() && !id.contains('/') => Route::Room(id.to_owned()),
            _ => Route::NotFound,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Route;

    #[test]
    fn paths_pick_their_page() {
        assert_eq!(Route::of("/"), Route::Demo);
        assert_eq!(Route::of(""), Route::Demo);
        assert_eq!(Route::of("/room/abc-1_2"), Route::Room("abc-1_2".into()));
        assert_eq!(Route::of("/room/abc/"), Route::Room("abc".into()));
        // A bad id is still the room page, which says what a room id is.
        assert_eq!(Route::of("/room/a%20b"), Route::Room("a%20b".into()));
        assert_eq!(Route::of("/room/"), Route::NotFound);
        assert_eq!(Route::of("/room"), Route::NotFound);
        assert_eq!(Route::of("/room/a/b"), Route::NotFound);
        assert_eq!(Route::of("/rooms/a"), Route::NotFound);
        assert_eq!(Route::of("/index.html"), Route::NotFound);
    }
}
