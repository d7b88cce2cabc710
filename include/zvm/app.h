/*
 * What an image runs once the kernel is up. The host image (apps/host.c)
 * starts the hypervisor shell; the RTOS guest image (guests/rtos/) starts the
 * app named on its command line.
 */
#ifndef ZVM_APP_H
#define ZVM_APP_H

#ifdef ZVM_EL1
#define APP_NAME		"zvm-rtos"
#define APP_DESCRIPTION		"real-time guest OS"
#else
#define APP_NAME		"zvm"
#define APP_DESCRIPTION		"real-time hypervisor"
#endif /* ZVM_EL1 */

/** Start the image's threads; called by the boot CPU before it turns idle. */
void app_main(void);

#endif /* ZVM_APP_H */
