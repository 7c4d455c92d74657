// Thin access to the Linux i2c-dev interface. libi2c ships no pkg-config file, so the
// headers are found on the default path: <linux/i2c-dev.h> and <i2c/smbus.h> (libi2c-dev).
#include <linux/i2c.h>
#include <linux/i2c-dev.h>
#include <i2c/smbus.h>
#include <sys/ioctl.h>

// ioctl is variadic, which Swift cannot call directly: these wrappers give it fixed types.
static inline int venueguard_i2c_rdwr(int fd, struct i2c_rdwr_ioctl_data *data) {
    return ioctl(fd, I2C_RDWR, data);
}

static inline int venueguard_i2c_set_timeout(int fd, unsigned long tens_of_milliseconds) {
    return ioctl(fd, I2C_TIMEOUT, tens_of_milliseconds);
}

static inline int venueguard_i2c_set_retries(int fd, unsigned long retries) {
    return ioctl(fd, I2C_RETRIES, retries);
}

static inline int venueguard_i2c_functions(int fd, unsigned long *functions) {
    return ioctl(fd, I2C_FUNCS, functions);
}

// SMBus-only adapters (i2c-stub, some SoC controllers) take no I2C_RDWR: the register is
// addressed with I2C_SLAVE first, then libi2c's SMBus calls are used.
static inline int venueguard_i2c_set_slave(int fd, unsigned long address) {
    return ioctl(fd, I2C_SLAVE, address);
}
