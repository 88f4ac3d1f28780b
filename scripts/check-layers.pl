#!/usr/bin/perl
# The architecture test: fails, naming the file and line, when a lower layer imports a higher one (the layer map in
# docs/ARCHITECTURE.md). Perl, because it is part of every Debian system (perl-base is essential) and CI runs this
# before anything is installed. Run it as scripts/check-layers.sh.
#
# It reads every path in the Rust sources: each leaf of a `use` tree, and each `a::b` path written in code, with
# `super::` and `self::` resolved against the file's module (and any inline `mod x { }` around it). Comments and
# string literals are blanked first, so words in them never count. The rules:
#
#   src/webrtc/      no `crate::` path outside `crate::webrtc` (the browser layer imports nothing of the app)
#   src/model/       no web-sys, js-sys, wasm-bindgen, gloo or Leptos; no `crate::` path outside `crate::model`
#   src/signaling/   no Leptos; no `crate::components` or `crate::log` (it emits events; a hook binds them)
#   src/components/  no web-sys RTC or media type (`web_sys::Rtc*`, `MediaStream*`, `MediaDevices`, ...): the
#                    browser layer's handles instead
#   protocol/        depends on no crate of ours (no `path =` dependency), names neither the app nor the server
#   server/src/      never names the app crate (`webrtc_demo`), and server/Cargo.toml does not depend on it
#   server/src/      a field that is not `pub` is read (`.field`, not a method call) only inside the top-level
#                    module that declares it (`x.rs` with `x/`; `lib.rs` and `main.rs` are the root). Field names
#                    that more than one module declares are not checked: without types, the check cannot tell
#                    whose field a `.name` is.

use strict;
use warnings;
use File::Find;

my $root = shift // '.';
chdir $root or die "cannot enter $root: $!\n";
my @problems;

sub problem { my ($file, $line, $rule, $what) = @_; push @problems, "$file:$line: $rule: $what"; }

sub rust_files {
    my @dirs = grep { -d } @_;
    my @files;
    find({ wanted => sub { push @files, $File::Find::name if /\.rs$/ && -f }, no_chdir => 1 }, @dirs) if @dirs;
    return sort @files;
}

sub slurp { my ($file) = @_; open my $fh, '<', $file or die "$file: $!\n"; local $/; my $text = <$fh>; return $text; }

# The text with comments, string and char literals replaced by spaces (newlines kept, so offsets keep their line).
sub blank {
    my ($text) = @_;
    my $keep_lines = sub { my $s = shift; $s =~ s/[^\n]/ /g; return $s };
    $text =~ s{
        ( //[^\n]* )
      | ( /\*.*?\*/ )
      | ( r(\#*)".*?"\4 )
      | ( b?"(?:\\.|[^"\\])*" )
      | ( b?'(?:\\.|[^'\\\n])' )
    }{ $keep_lines->($&) }gsex;
    return $text;
}

sub line_at { my ($text, $offset) = @_; return 1 + (substr($text, 0, $offset) =~ tr/\n//); }

# The module path of a file under `base` (src/webrtc/peer/mod.rs -> webrtc, peer).
sub module_of {
    my ($file, $base) = @_;
    (my $rel = $file) =~ s{^\Q$base\E/}{};
    $rel =~ s{\.rs$}{};
    my @parts = split m{/}, $rel;
    pop @parts if @parts && ($parts[-1] eq 'mod' || $parts[-1] eq 'lib' || $parts[-1] eq 'main');
    return @parts;
}

# Inline `mod name { ... }` blocks: [start, end, name], from the blanked text.
sub inline_mods {
    my ($text) = @_;
    my @mods;
    while ($text =~ /\bmod\s+(\w+)\s*\{/g) {
        my ($name, $open) = ($1, pos($text) - 1);
        my $depth = 0;
        for (my $i = $open; $i < length $text; $i++) {
            my $c = substr($text, $i, 1);
            $depth++ if $c eq '{';
            if ($c eq '}' && --$depth == 0) { push @mods, [$open, $i, $name]; last; }
        }
    }
    return @mods;
}

# Every leaf of a use tree ("crate::{a, b::{c, d}}") as a list of segment lists.
sub flatten {
    my ($tree) = @_;
    $tree =~ s/\s+as\s+\w+//g;
    $tree =~ s/\s+//g;
    my @out;
    my $walk;
    $walk = sub {
        my ($prefix, $s) = @_;
        # Split at top-level commas.
        my ($depth, $start, @items) = (0, 0);
        for my $i (0 .. length($s) - 1) {
            my $c = substr($s, $i, 1);
            $depth++ if $c eq '{';
            $depth-- if $c eq '}';
            if ($c eq ',' && $depth == 0) { push @items, substr($s, $start, $i - $start); $start = $i + 1; }
        }
        push @items, substr($s, $start);
        for my $item (grep { length } @items) {
            if ($item =~ /^(.*?)::\{(.*)\}$/s || $item =~ /^()\{(.*)\}$/s) {
                my @head = grep { length } split /::/, $1;
                $walk->([@$prefix, @head], $2);
            } else {
                push @out, [@$prefix, grep { length } split /::/, $item];
            }
        }
    };
    $walk->([], $tree);
    return @out;
}

# Every path in a file: [line, absolute segments], with super/self resolved ('crate' first for the crate's own).
sub paths_in {
    my ($file, $base) = @_;
    my $text = blank(slurp($file));
    my @module = module_of($file, $base);
    my @mods = inline_mods($text);
    my @found;
    my $resolve = sub {
        my ($offset, @segments) = @_;
        my @here = (@module, map { $_->[2] } grep { $_->[0] < $offset && $offset < $_->[1] } @mods);
        if ($segments[0] eq 'self') { shift @segments; return ['crate', @here, @segments]; }
        if ($segments[0] eq 'super') {
            while (@segments && $segments[0] eq 'super') { shift @segments; pop @here; }
            return ['crate', @here, @segments];
        }
        return [@segments];
    };
    my $uses = $text;
    while ($text =~ /\buse\s+([^;]*);/g) {
        my ($tree, $start, $end) = ($1, $-[0], $+[0]);
        # Each leaf's line: where its last name appears, searching on from the previous leaf's.
        my $from = $start;
        for my $leaf (grep { @$_ } flatten($tree)) {
            my $statement = substr($text, $from, $end - $from);
            my $at = $statement =~ /\b\Q$leaf->[-1]\E\b/ ? $from + $-[0] : $from;
            push @found, [line_at($text, $at), $resolve->($start, @$leaf)];
            $from = $at;
        }
        substr($uses, $start, $end - $start) = ' ' x ($end - $start);
    }
    while ($uses =~ /(?<![\w:])((?:[A-Za-z_]\w*::)+[A-Za-z_]\w*)/g) {
        my $start = $-[1];
        push @found, [line_at($uses, $start), $resolve->($start, split /::/, $1)];
    }
    return @found;
}

my %leptos = map { $_ => 1 } qw(leptos leptos_dom leptos_macro leptos_use reactive_graph tachys);
my %browser = map { $_ => 1 } qw(web_sys js_sys wasm_bindgen wasm_bindgen_futures gloo gloo_timers gloo_events);

sub check_app {
    for my $file (rust_files('src')) {
        my ($layer) = module_of($file, 'src');
        next unless defined $layer;
        for my $found (paths_in($file, 'src')) {
            my ($line, $path) = @$found;
            my ($first, $second, $last) = ($path->[0], $path->[1] // '', $path->[-1]);
            my $shown = join '::', @$path;
            if ($layer eq 'webrtc' && $first eq 'crate' && $second ne 'webrtc' && @$path > 1) {
                problem($file, $line, 'the browser layer imports nothing of the app', $shown);
            }
            if ($layer eq 'model') {
                problem($file, $line, 'the model uses no browser or Leptos crate', $shown)
                  if $browser{$first} || $leptos{$first};
                problem($file, $line, 'the model imports nothing of the app outside the model', $shown)
                  if $first eq 'crate' && $second ne 'model' && @$path > 1;
            }
            if ($layer eq 'signaling') {
                problem($file, $line, 'signaling uses no Leptos (it emits events; a hook in components binds them)', $shown)
                  if $leptos{$first};
                problem($file, $line, 'signaling imports no components and no Logger', $shown)
                  if $first eq 'crate' && ($second eq 'components' || $second eq 'log');
            }
            if ($layer eq 'components' && $first eq 'web_sys'
                && $last =~ /^(Rtc\w+|MediaStream\w*|MediaDevices|MediaTrack\w*|MediaRecorder\w*|MediaDeviceInfo|MediaDeviceKind)$/)
            {
                problem($file, $line, 'components use the browser layer\'s handles, not web-sys RTC or media types', $shown);
            }
        }
    }
}

sub check_protocol {
    my $manifest = slurp('protocol/Cargo.toml');
    my $line = 0;
    for (split /\n/, $manifest) {
        $line++;
        problem('protocol/Cargo.toml', $line, 'the protocol depends on no crate of ours', $_) if /\bpath\s*=/;
    }
    for my $file (rust_files('protocol')) {
        for my $found (paths_in($file, 'protocol/src')) {
            my ($line, $path) = @$found;
            problem($file, $line, 'the protocol uses nothing of ours', join '::', @$path)
              if $path->[0] =~ /^(webrtc_demo|server|signaling_bench)$/;
        }
    }
}

# The top-level module of a server file: server/src/rooms/x.rs -> rooms; lib.rs and main.rs -> (root).
sub server_module {
    my ($file) = @_;
    my ($top) = module_of($file, 'server/src');
    return $top // '(root)';
}

sub check_server {
    my $line = 0;
    for (split /\n/, slurp('server/Cargo.toml')) {
        $line++;
        problem('server/Cargo.toml', $line, 'the server never depends on the app crate', $_) if /webrtc[-_]demo/;
    }
    my @files = rust_files('server/src');
    my (%private, %declared);    # field -> {module -> line@file}, field -> {module -> 1}
    my %text;
    for my $file (@files) {
        my $text = $text{$file} = blank(slurp($file));
        my $module = server_module($file);
        for my $found (paths_in($file, 'server/src')) {
            my ($line, $path) = @$found;
            problem($file, $line, 'the server never imports the app crate', join '::', @$path)
              if $path->[0] eq 'webrtc_demo';
        }
        while ($text =~ /\bstruct\s+\w+(?:<[^>{]*>)?\s*(?:where[^{]*)?\{/g) {
            my $open = pos($text) - 1;
            my ($depth, $close) = (0, undef);
            for (my $i = $open; $i < length $text; $i++) {
                my $c = substr($text, $i, 1);
                $depth++ if $c eq '{';
                if ($c eq '}' && --$depth == 0) { $close = $i; last; }
            }
            next unless defined $close;
            my $body = substr($text, $open + 1, $close - $open - 1);
            while ($body =~ /(?:^|[{,])\s*(?:#\[[^\]]*\]\s*)*(pub(?:\([^)]*\))?\s+)?([a-z_][a-z0-9_]*)\s*:(?!:)/g) {
                my ($visibility, $field) = ($1 // '', $2);
                $declared{$field}{$module} = 1;
                next if $visibility =~ /^pub\s+$/;
                $private{$field}{$module} //= "$file:" . line_at($text, $open + 1 + $-[2]);
            }
        }
    }
    for my $file (@files) {
        my $text = $text{$file};
        my $module = server_module($file);
        while ($text =~ /\.([a-z_][a-z0-9_]*)\b(?!\s*[(!:])/g) {
            my $field = $1;
            next unless $private{$field} && keys %{ $declared{$field} } == 1;
            my ($owner) = keys %{ $private{$field} };
            next if $owner eq $module;
            problem($file, line_at($text, $-[0]), "a module reads only its own private fields",
                ".$field is a private field of module $owner ($private{$field}{$owner})");
        }
    }
}

check_app();
check_protocol();
check_server();

if (@problems) {
    print STDERR "$_\n" for @problems;
    printf STDERR "\nlayers: %d import(s) against the layer map (docs/ARCHITECTURE.md)\n", scalar @problems;
    exit 1;
}
print "layers: every import follows the layer map\n";
