// SPDX-License-Identifier: GPL-2.0
/*
 * hil-i2c: a virtual I2C adapter for VenueGuard's hardware-in-the-loop tests (`make hil`).
 *
 * i2c-stub, which holds the SMBus-style chips in those tests, speaks SMBus only and has its
 * chips fixed at load time. This adapter fills the two gaps:
 *   - it takes plain I2C messages (master_xfer, so I2C_RDWR works; SMBus is emulated by the
 *     I2C core on top), which the command-style humidity chips need: SHT3x, SHT4x, AHT20;
 *   - every chip can be unplugged and plugged back while /dev/i2c-N stays open (i2c-stub's
 *     module is pinned by an open i2c-dev file, so it cannot be removed mid-run).
 *
 * Chips are given at load time as TYPE@ADDRESS:
 *   modprobe hil-i2c chips=sht3x@0x45,sht4x@0x44,aht20@0x38,regmap@0x77
 * TYPE is one of
 *   regmap  256 byte registers behind an auto-incrementing register pointer (BME280, AS3935);
 *   sht3x   Sensirion SHT3x: 16-bit commands, single shot 0x2400/0x2C06, status 0xF32D;
 *   sht4x   Sensirion SHT4x: 8-bit commands, 0xFD/0xF6/0xE0 measure, 0x89 serial number;
 *   aht20   Aosong AHT20: status byte, 0xBE init, 0xAC trigger, 7-byte result with CRC.
 *
 * Each chip has a directory /sys/kernel/debug/hil-i2c/0xNN/ with
 *   present    1 (default) or 0: whether the chip acknowledges its address at all
 *   raw_t      raw temperature (16 bits for sht3x/sht4x, 20 bits for aht20)
 *   raw_h      raw humidity (same widths)
 *   crc_error  1: every CRC the chip sends is wrong (a noisy bus)
 *   transfers  messages addressed to the chip so far (read only)
 *   regs       regmap only: the 256 registers, read and written at a file offset
 *
 * Like the real chips, the Sensirion chips NACK a read header while they hold no result
 * (no measurement or serial number requested since the last read).
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/i2c.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#define HIL_MAX_CHIPS 8

enum hil_kind { HIL_REGMAP, HIL_SHT3X, HIL_SHT4X, HIL_AHT20 };

static const char *const hil_kind_names[] = {
	[HIL_REGMAP] = "regmap", [HIL_SHT3X] = "sht3x", [HIL_SHT4X] = "sht4x", [HIL_AHT20] = "aht20",
};

struct hil_chip {
	enum hil_kind kind;
	u16 addr;
	bool present;
	bool crc_error;
	u32 raw_t;
	u32 raw_h;
	u32 transfers;
	u8 pointer;
	u8 regs[256];
	u8 out[8];
	int out_len;
	bool calibrated;
	struct dentry *dir;
};

static char *chips[HIL_MAX_CHIPS];
static int chips_count;
module_param_array(chips, charp, &chips_count, 0444);
MODULE_PARM_DESC(chips, "emulated chips, TYPE@ADDRESS (regmap, sht3x, sht4x, aht20), up to 8");

static struct hil_chip hil_chips[HIL_MAX_CHIPS];
static int hil_count;
static DEFINE_MUTEX(hil_lock);
static struct dentry *hil_debugfs;

/* Sensirion's CRC-8 (also the AHT20's): polynomial 0x31, initial 0xFF. */
static u8 hil_crc8(const u8 *data, int len)
{
	u8 crc = 0xFF;
	int i, bit;

	for (i = 0; i < len; i++) {
		crc ^= data[i];
		for (bit = 0; bit < 8; bit++)
			crc = (crc & 0x80) ? (u8)((crc << 1) ^ 0x31) : (u8)(crc << 1);
	}
	return crc;
}

static u8 hil_crc(struct hil_chip *chip, const u8 *data, int len)
{
	u8 crc = hil_crc8(data, len);

	return chip->crc_error ? (u8)~crc : crc;
}

/* Two 16-bit words, each followed by its CRC: a Sensirion result. */
static void hil_sensirion_words(struct hil_chip *chip, u16 first, u16 second)
{
	chip->out[0] = first >> 8;
	chip->out[1] = first & 0xFF;
	chip->out[2] = hil_crc(chip, chip->out, 2);
	chip->out[3] = second >> 8;
	chip->out[4] = second & 0xFF;
	chip->out[5] = hil_crc(chip, chip->out + 3, 2);
	chip->out_len = 6;
}

static void hil_aht20_result(struct hil_chip *chip)
{
	u32 h = chip->raw_h & 0xFFFFF, t = chip->raw_t & 0xFFFFF;

	chip->out[0] = chip->calibrated ? 0x18 : 0x10; /* idle; bit 3: calibration enabled */
	chip->out[1] = h >> 12;
	chip->out[2] = (h >> 4) & 0xFF;
	chip->out[3] = ((h & 0x0F) << 4) | (t >> 16);
	chip->out[4] = (t >> 8) & 0xFF;
	chip->out[5] = t & 0xFF;
	chip->out[6] = hil_crc(chip, chip->out, 6);
	chip->out_len = 7;
}

/* A write message: a command, or a register pointer followed by register values. */
static int hil_write(struct hil_chip *chip, const u8 *buf, int len)
{
	int i;
	u16 command;

	if (len == 0)
		return 0; /* an address-only write (quick command) */
	switch (chip->kind) {
	case HIL_REGMAP:
		chip->pointer = buf[0];
		for (i = 1; i < len; i++)
			chip->regs[chip->pointer++] = buf[i];
		return 0;
	case HIL_SHT3X:
		if (len != 2)
			return -EIO;
		command = buf[0] << 8 | buf[1];
		switch (command) {
		case 0x2400: case 0x240B: case 0x2416: case 0x2C06: case 0x2C0D: case 0x2C10:
			hil_sensirion_words(chip, chip->raw_t, chip->raw_h);
			return 0;
		case 0xF32D: /* status: alert pending and reset detected, heater off */
			chip->out[0] = 0x80;
			chip->out[1] = 0x10;
			chip->out[2] = hil_crc(chip, chip->out, 2);
			chip->out_len = 3;
			return 0;
		case 0x30A2: /* soft reset */
		case 0x3066: /* heater off */
		case 0x3041: /* clear status */
			chip->out_len = 0;
			return 0;
		default:
			return -EIO; /* an unknown command is not acknowledged */
		}
	case HIL_SHT4X:
		if (len != 1)
			return -EIO;
		switch (buf[0]) {
		case 0xFD: case 0xF6: case 0xE0:
			hil_sensirion_words(chip, chip->raw_t, chip->raw_h);
			return 0;
		case 0x89: /* serial number */
			hil_sensirion_words(chip, 0x1234, 0x5678);
			return 0;
		case 0x94: /* soft reset */
			chip->out_len = 0;
			return 0;
		default:
			return -EIO;
		}
	case HIL_AHT20:
		if (len == 3 && buf[0] == 0xBE) {
			chip->calibrated = true;
			chip->out_len = 0;
			return 0;
		}
		if (len == 3 && buf[0] == 0xAC) {
			hil_aht20_result(chip);
			return 0;
		}
		if (len == 1 && (buf[0] == 0xBA || buf[0] == 0x71)) {
			chip->out_len = 0;
			return 0;
		}
		return -EIO;
	}
	return -EIO;
}

static int hil_read(struct hil_chip *chip, u8 *buf, int len)
{
	int i;

	switch (chip->kind) {
	case HIL_REGMAP:
		for (i = 0; i < len; i++)
			buf[i] = chip->regs[chip->pointer++];
		return 0;
	case HIL_SHT3X:
	case HIL_SHT4X:
		if (chip->out_len == 0)
			return -ENXIO; /* no result: the read header is not acknowledged */
		for (i = 0; i < len; i++)
			buf[i] = i < chip->out_len ? chip->out[i] : 0xFF;
		chip->out_len = 0;
		return 0;
	case HIL_AHT20:
		/* The status byte comes first in every read; a result stays readable. */
		if (chip->out_len == 0) {
			memset(buf, 0, len);
			if (len > 0)
				buf[0] = chip->calibrated ? 0x18 : 0x10;
			return 0;
		}
		for (i = 0; i < len; i++)
			buf[i] = i < chip->out_len ? chip->out[i] : 0xFF;
		return 0;
	}
	return -EIO;
}

static struct hil_chip *hil_find(u16 addr)
{
	int i;

	for (i = 0; i < hil_count; i++)
		if (hil_chips[i].addr == addr)
			return &hil_chips[i];
	return NULL;
}

static int hil_xfer(struct i2c_adapter *adapter, struct i2c_msg *msgs, int num)
{
	int i, ret = 0;
	struct hil_chip *chip;

	mutex_lock(&hil_lock);
	for (i = 0; i < num && ret == 0; i++) {
		chip = hil_find(msgs[i].addr);
		if (chip)
			chip->transfers++;
		if (!chip || !chip->present || (msgs[i].flags & I2C_M_TEN)) {
			ret = -ENXIO; /* nobody acknowledges the address */
			break;
		}
		if (msgs[i].flags & I2C_M_RD)
			ret = hil_read(chip, msgs[i].buf, msgs[i].len);
		else
			ret = hil_write(chip, msgs[i].buf, msgs[i].len);
	}
	mutex_unlock(&hil_lock);
	return ret < 0 ? ret : num;
}

static u32 hil_functionality(struct i2c_adapter *adapter)
{
	return I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL | I2C_FUNC_SMBUS_QUICK;
}

static const struct i2c_algorithm hil_algorithm = {
	.master_xfer = hil_xfer,
	.functionality = hil_functionality,
};

static struct i2c_adapter hil_adapter = {
	.owner = THIS_MODULE,
	.class = 0, /* no driver probes it: the tests reach it through i2c-dev only */
	.algo = &hil_algorithm,
	.name = "VenueGuard HIL I2C adapter",
};

static ssize_t hil_regs_read(struct file *file, char __user *user, size_t count, loff_t *ppos)
{
	struct hil_chip *chip = file->private_data;
	u8 copy[256];

	mutex_lock(&hil_lock);
	memcpy(copy, chip->regs, sizeof(copy));
	mutex_unlock(&hil_lock);
	return simple_read_from_buffer(user, count, ppos, copy, sizeof(copy));
}

static ssize_t hil_regs_write(struct file *file, const char __user *user, size_t count, loff_t *ppos)
{
	struct hil_chip *chip = file->private_data;
	u8 copy[256];
	ssize_t written;
	loff_t start = *ppos;

	if (start < 0 || start >= (loff_t)sizeof(copy))
		return -ENOSPC;
	mutex_lock(&hil_lock);
	memcpy(copy, chip->regs, sizeof(copy));
	written = simple_write_to_buffer(copy, sizeof(copy), ppos, user, count);
	if (written > 0)
		memcpy(chip->regs, copy, sizeof(copy));
	mutex_unlock(&hil_lock);
	return written;
}

static const struct file_operations hil_regs_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = hil_regs_read,
	.write = hil_regs_write,
	.llseek = default_llseek,
};

static int hil_parse(const char *spec, struct hil_chip *chip)
{
	char *copy, *at;
	int kind, ret = -EINVAL;

	copy = kstrdup(spec, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	at = strchr(copy, '@');
	if (!at)
		goto out;
	*at = '\0';
	for (kind = 0; kind < ARRAY_SIZE(hil_kind_names); kind++) {
		if (strcmp(copy, hil_kind_names[kind]) == 0)
			break;
	}
	if (kind == ARRAY_SIZE(hil_kind_names))
		goto out;
	ret = kstrtou16(at + 1, 0, &chip->addr);
	if (ret == 0 && (chip->addr < 0x03 || chip->addr > 0x77))
		ret = -EINVAL;
	chip->kind = kind;
out:
	kfree(copy);
	return ret;
}

static int __init hil_init(void)
{
	int i, ret;
	char name[8];
	struct hil_chip *chip;

	for (i = 0; i < chips_count; i++) {
		chip = &hil_chips[i];
		ret = hil_parse(chips[i], chip);
		if (ret) {
			pr_err("hil-i2c: cannot read chip '%s' (TYPE@ADDRESS, TYPE regmap, sht3x, sht4x or aht20)\n", chips[i]);
			return ret;
		}
		if (hil_find(chip->addr)) {
			pr_err("hil-i2c: address 0x%02x given twice\n", chip->addr);
			return -EINVAL;
		}
		chip->present = true;
		chip->calibrated = true;
		/* About 25 °C and 50 %RH until the tests set their own values. */
		chip->raw_t = chip->kind == HIL_AHT20 ? 393216 : 26214;
		chip->raw_h = chip->kind == HIL_AHT20 ? 524288 : 32768;
		hil_count++;
	}

	hil_debugfs = debugfs_create_dir("hil-i2c", NULL);
	for (i = 0; i < hil_count; i++) {
		chip = &hil_chips[i];
		snprintf(name, sizeof(name), "0x%02x", chip->addr);
		chip->dir = debugfs_create_dir(name, hil_debugfs);
		debugfs_create_bool("present", 0644, chip->dir, &chip->present);
		debugfs_create_bool("crc_error", 0644, chip->dir, &chip->crc_error);
		debugfs_create_u32("raw_t", 0644, chip->dir, &chip->raw_t);
		debugfs_create_u32("raw_h", 0644, chip->dir, &chip->raw_h);
		debugfs_create_u32("transfers", 0444, chip->dir, &chip->transfers);
		if (chip->kind == HIL_REGMAP)
			debugfs_create_file_size("regs", 0644, chip->dir, chip, &hil_regs_fops, 256);
	}

	ret = i2c_add_adapter(&hil_adapter);
	if (ret) {
		debugfs_remove_recursive(hil_debugfs);
		return ret;
	}
	for (i = 0; i < hil_count; i++)
		dev_info(&hil_adapter.dev, "%s at 0x%02x\n", hil_kind_names[hil_chips[i].kind], hil_chips[i].addr);
	return 0;
}

static void __exit hil_exit(void)
{
	i2c_del_adapter(&hil_adapter);
	debugfs_remove_recursive(hil_debugfs);
}

module_init(hil_init);
module_exit(hil_exit);

MODULE_DESCRIPTION("VenueGuard HIL: a virtual I2C adapter with plain I2C transfers and unpluggable chips");
MODULE_LICENSE("GPL");
