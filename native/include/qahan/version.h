#pragma once
#define QAHAN_NATIVE_VERSION "0.1.0"
