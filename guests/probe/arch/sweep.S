/* SPDX-License-Identifier: MIT */
/*
 * probe_sweep(out): read every op0=2 and op0=3 system register encoding
 * with MRS and store the ESR of its exception (0: read fine) into
 * out[op0 - 2][op1][CRn][CRm][op2] (32-bit entries). The vectors
 * (start.S) set x17 to the ESR and step over the MRS.
 */
.macro one op0, op1, crn, crm, op2
	mov	x17, xzr
	mrs	x0, S\op0\()_\op1\()_C\crn\()_C\crm\()_\op2
	str	w17, [x10], #4
.endm
.macro crm_row op0, op1, crn, crm
	.irp op2, 0, 1, 2, 3, 4, 5, 6, 7
	one \op0, \op1, \crn, \crm, \op2
	.endr
.endm
.macro crn_block op0, op1, crn
	.irp crm, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	crm_row \op0, \op1, \crn, \crm
	.endr
.endm
.macro op1_block op0, op1
	.irp crn, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	crn_block \op0, \op1, \crn
	.endr
.endm

	.text
	.global probe_sweep
probe_sweep:
	mov	x10, x0
	.irp op0, 2, 3
	.irp op1, 0, 1, 2, 3, 4, 5, 6, 7
	op1_block \op0, \op1
	.endr
	.endr
	ret
