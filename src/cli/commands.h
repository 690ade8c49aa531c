/* The subcommands of the openpose-c program. Each returns the process exit status:
 * 0 success, 1 failure (or some inputs failed), 2 usage error. */
#ifndef OPC_CLI_COMMANDS_H
#define OPC_CLI_COMMANDS_H

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

int cmd_run(int argc, char **argv);      /* images -> keypoints (the default command) */
int cmd_convert(int argc, char **argv);  /* caffe/tf -> .opc */
int cmd_info(int argc, char **argv);     /* model summary */
int cmd_forward(int argc, char **argv);  /* .npy -> network output .npy */
int cmd_parse(int argc, char **argv);    /* saved maps .npy -> people JSON */
int cmd_eval(int argc, char **argv);     /* COCO keypoint AP/AR */

#endif
