/* Starts the console once every view has registered itself. */
"use strict";

M.start();
