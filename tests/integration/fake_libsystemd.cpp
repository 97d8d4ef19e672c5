// A library named libsystemd.so.0 without sd_notify: what a controller under a service manager must
// refuse to run with (service_manager_test.cpp puts it first on LD_LIBRARY_PATH).
extern "C" int tether_fake_libsystemd() { return 0; }
