#![no_main]
// The body is dashrisk_fuzz::model_file (crates/dashrisk-fuzz), shared with the stable replay test.
libfuzzer_sys::fuzz_target!(|data: &[u8]| dashrisk_fuzz::model_file(data));
