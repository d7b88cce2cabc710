# SPDX-License-Identifier: MIT
# Rockchip RK3568 (ROC-RK3568-PC, Lubancat 2, Radxa ROCK 3A, ODROID-M1,
# BPI-R2 Pro): 4x Cortex-A55, GIC-600. `make PLATFORM=rk3568` builds
# build/rk3568/boot/ for U-Boot (docs/porting.md). Every other address comes
# from the board's DTB.
include mk/rockchip-common.mk
# UART2, the debug console on the boards' 3-pin header (rk356x.dtsi: serial@fe660000).
EARLY_UART := 0xfe660000
# The DTB boot.scr gives zvm, from Debian's kernel package (build/dtbs/;
# `make PLATFORM=rk3568 BOARD_DTB=rockchip/rk3568-odroid-m1.dtb` for another board).
BOARD_DTB  ?= rockchip/rk3568-rock-3a.dtb
