//! Cleaning the values a file name is built from (attributes, variable names).
//!
//! clisops formats attributes into names as they are; a value with a NUL byte, another control
//! character or a path separator then gives a name the file system cuts short (libnetcdf hands
//! paths to C, which stops at the first NUL), refuses, or reads as a sub-directory. Here:
//!
//! - NUL bytes are dropped, as the output's own attributes drop them (libnetcdf stores text up
//!   to the first NUL), so `experiment_id = "rcp60\0\0x"` names the file `..._rcp60x_...`;
//! - other control characters at either end are trimmed, those inside become `-`;
//! - `/` and `\` become `-` (a file name is one path component).
//!
//! Anything else (spaces, non-ASCII letters) is kept as clisops keeps it.

/// `value` fit to be part of a file name (see the module documentation).
#[must_use]
pub fn clean_component(value: &str) -> String {
    let no_nul: String = value.chars().filter(|&c| c != '\0').collect();
    no_nul
        .trim_matches(char::is_control)
        .chars()
        .map(|c| if c.is_control() || c == '/' || c == '\\' { '-' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::clean_component;

    #[test]
    fn control_characters_and_separators() {
        assert_eq!(clean_component("rcp60\0\0x"), "rcp60x");
        assert_eq!(clean_component("rcp60\0"), "rcp60");
        assert_eq!(clean_component("\nhistorical \r\n"), "historical ");
        assert_eq!(clean_component("a\tb\x1bc\u{7f}d"), "a-b-c-d");
        assert_eq!(clean_component("../etc/passwd"), "..-etc-passwd");
        assert_eq!(clean_component("a\\b"), "a-b");
        assert_eq!(clean_component("MPI-ESM1.2 HR é"), "MPI-ESM1.2 HR é");
        assert_eq!(clean_component("\0\0"), "");
    }
}
