import {
  BadInputError,
  CompletedDurations,
  LockTimeoutError,
  PHASES,
  PRIVATE_FILE_MODE,
  PyFloat,
  __commonJS,
  __require,
  __toESM,
  appendDurably,
  applyCompletion,
  checkTopLevel,
  completerOnce,
  exportPieces,
  external_exports,
  fingerprintFile,
  fingerprintOf,
  invocationId,
  legacyFilePieces,
  modeForFilesBeside,
  naiveSecondsBetween,
  parseLegacyInvocationObject,
  parseSkillAggregate,
  renderReport,
  summarize,
  systemClock,
  toNaiveLocalIso,
  toSkillMetrics,
  writeFileDurably
} from "./chunk-IJ4VH45E.js";

// ../../node_modules/.pnpm/graceful-fs@4.2.12/node_modules/graceful-fs/polyfills.js
var require_polyfills = __commonJS({
  "../../node_modules/.pnpm/graceful-fs@4.2.12/node_modules/graceful-fs/polyfills.js"(exports, module) {
    var constants = __require("constants");
    var origCwd = process.cwd;
    var cwd = null;
    var platform = process.env.GRACEFUL_FS_PLATFORM || process.platform;
    process.cwd = function() {
      if (!cwd)
        cwd = origCwd.call(process);
      return cwd;
    };
    try {
      process.cwd();
    } catch (er) {
    }
    if (typeof process.chdir === "function") {
      chdir = process.chdir;
      process.chdir = function(d) {
        cwd = null;
        chdir.call(process, d);
      };
      if (Object.setPrototypeOf) Object.setPrototypeOf(process.chdir, chdir);
    }
    var chdir;
    module.exports = patch;
    function patch(fs) {
      if (constants.hasOwnProperty("O_SYMLINK") && process.version.match(/^v0\.6\.[0-2]|^v0\.5\./)) {
        patchLchmod(fs);
      }
      if (!fs.lutimes) {
        patchLutimes(fs);
      }
      fs.chown = chownFix(fs.chown);
      fs.fchown = chownFix(fs.fchown);
      fs.lchown = chownFix(fs.lchown);
      fs.chmod = chmodFix(fs.chmod);
      fs.fchmod = chmodFix(fs.fchmod);
      fs.lchmod = chmodFix(fs.lchmod);
      fs.chownSync = chownFixSync(fs.chownSync);
      fs.fchownSync = chownFixSync(fs.fchownSync);
      fs.lchownSync = chownFixSync(fs.lchownSync);
      fs.chmodSync = chmodFixSync(fs.chmodSync);
      fs.fchmodSync = chmodFixSync(fs.fchmodSync);
      fs.lchmodSync = chmodFixSync(fs.lchmodSync);
      fs.stat = statFix(fs.stat);
      fs.fstat = statFix(fs.fstat);
      fs.lstat = statFix(fs.lstat);
      fs.statSync = statFixSync(fs.statSync);
      fs.fstatSync = statFixSync(fs.fstatSync);
      fs.lstatSync = statFixSync(fs.lstatSync);
      if (fs.chmod && !fs.lchmod) {
        fs.lchmod = function(path, mode, cb) {
          if (cb) process.nextTick(cb);
        };
        fs.lchmodSync = function() {
        };
      }
      if (fs.chown && !fs.lchown) {
        fs.lchown = function(path, uid, gid, cb) {
          if (cb) process.nextTick(cb);
        };
        fs.lchownSync = function() {
        };
      }
      if (platform === "win32") {
        fs.rename = typeof fs.rename !== "function" ? fs.rename : (function(fs$rename) {
          function rename(from, to, cb) {
            var start = Date.now();
            var backoff = 0;
            fs$rename(from, to, function CB(er) {
              if (er && (er.code === "EACCES" || er.code === "EPERM" || er.code === "EBUSY") && Date.now() - start < 6e4) {
                setTimeout(function() {
                  fs.stat(to, function(stater, st) {
                    if (stater && stater.code === "ENOENT")
                      fs$rename(from, to, CB);
                    else
                      cb(er);
                  });
                }, backoff);
                if (backoff < 100)
                  backoff += 10;
                return;
              }
              if (cb) cb(er);
            });
          }
          if (Object.setPrototypeOf) Object.setPrototypeOf(rename, fs$rename);
          return rename;
        })(fs.rename);
      }
      fs.read = typeof fs.read !== "function" ? fs.read : (function(fs$read) {
        function read(fd, buffer, offset, length, position, callback_) {
          var callback;
          if (callback_ && typeof callback_ === "function") {
            var eagCounter = 0;
            callback = function(er, _, __) {
              if (er && er.code === "EAGAIN" && eagCounter < 10) {
                eagCounter++;
                return fs$read.call(fs, fd, buffer, offset, length, position, callback);
              }
              callback_.apply(this, arguments);
            };
          }
          return fs$read.call(fs, fd, buffer, offset, length, position, callback);
        }
        if (Object.setPrototypeOf) Object.setPrototypeOf(read, fs$read);
        return read;
      })(fs.read);
      fs.readSync = typeof fs.readSync !== "function" ? fs.readSync : /* @__PURE__ */ (function(fs$readSync) {
        return function(fd, buffer, offset, length, position) {
          var eagCounter = 0;
          while (true) {
            try {
              return fs$readSync.call(fs, fd, buffer, offset, length, position);
            } catch (er) {
              if (er.code === "EAGAIN" && eagCounter < 10) {
                eagCounter++;
                continue;
              }
              throw er;
            }
          }
        };
      })(fs.readSync);
      function patchLchmod(fs2) {
        fs2.lchmod = function(path, mode, callback) {
          fs2.open(
            path,
            constants.O_WRONLY | constants.O_SYMLINK,
            mode,
            function(err, fd) {
              if (err) {
                if (callback) callback(err);
                return;
              }
              fs2.fchmod(fd, mode, function(err2) {
                fs2.close(fd, function(err22) {
                  if (callback) callback(err2 || err22);
                });
              });
            }
          );
        };
        fs2.lchmodSync = function(path, mode) {
          var fd = fs2.openSync(path, constants.O_WRONLY | constants.O_SYMLINK, mode);
          var threw = true;
          var ret;
          try {
            ret = fs2.fchmodSync(fd, mode);
            threw = false;
          } finally {
            if (threw) {
              try {
                fs2.closeSync(fd);
              } catch (er) {
              }
            } else {
              fs2.closeSync(fd);
            }
          }
          return ret;
        };
      }
      function patchLutimes(fs2) {
        if (constants.hasOwnProperty("O_SYMLINK") && fs2.futimes) {
          fs2.lutimes = function(path, at, mt, cb) {
            fs2.open(path, constants.O_SYMLINK, function(er, fd) {
              if (er) {
                if (cb) cb(er);
                return;
              }
              fs2.futimes(fd, at, mt, function(er2) {
                fs2.close(fd, function(er22) {
                  if (cb) cb(er2 || er22);
                });
              });
            });
          };
          fs2.lutimesSync = function(path, at, mt) {
            var fd = fs2.openSync(path, constants.O_SYMLINK);
            var ret;
            var threw = true;
            try {
              ret = fs2.futimesSync(fd, at, mt);
              threw = false;
            } finally {
              if (threw) {
                try {
                  fs2.closeSync(fd);
                } catch (er) {
                }
              } else {
                fs2.closeSync(fd);
              }
            }
            return ret;
          };
        } else if (fs2.futimes) {
          fs2.lutimes = function(_a, _b, _c, cb) {
            if (cb) process.nextTick(cb);
          };
          fs2.lutimesSync = function() {
          };
        }
      }
      function chmodFix(orig) {
        if (!orig) return orig;
        return function(target, mode, cb) {
          return orig.call(fs, target, mode, function(er) {
            if (chownErOk(er)) er = null;
            if (cb) cb.apply(this, arguments);
          });
        };
      }
      function chmodFixSync(orig) {
        if (!orig) return orig;
        return function(target, mode) {
          try {
            return orig.call(fs, target, mode);
          } catch (er) {
            if (!chownErOk(er)) throw er;
          }
        };
      }
      function chownFix(orig) {
        if (!orig) return orig;
        return function(target, uid, gid, cb) {
          return orig.call(fs, target, uid, gid, function(er) {
            if (chownErOk(er)) er = null;
            if (cb) cb.apply(this, arguments);
          });
        };
      }
      function chownFixSync(orig) {
        if (!orig) return orig;
        return function(target, uid, gid) {
          try {
            return orig.call(fs, target, uid, gid);
          } catch (er) {
            if (!chownErOk(er)) throw er;
          }
        };
      }
      function statFix(orig) {
        if (!orig) return orig;
        return function(target, options, cb) {
          if (typeof options === "function") {
            cb = options;
            options = null;
          }
          function callback(er, stats) {
            if (stats) {
              if (stats.uid < 0) stats.uid += 4294967296;
              if (stats.gid < 0) stats.gid += 4294967296;
            }
            if (cb) cb.apply(this, arguments);
          }
          return options ? orig.call(fs, target, options, callback) : orig.call(fs, target, callback);
        };
      }
      function statFixSync(orig) {
        if (!orig) return orig;
        return function(target, options) {
          var stats = options ? orig.call(fs, target, options) : orig.call(fs, target);
          if (stats) {
            if (stats.uid < 0) stats.uid += 4294967296;
            if (stats.gid < 0) stats.gid += 4294967296;
          }
          return stats;
        };
      }
      function chownErOk(er) {
        if (!er)
          return true;
        if (er.code === "ENOSYS")
          return true;
        var nonroot = !process.getuid || process.getuid() !== 0;
        if (nonroot) {
          if (er.code === "EINVAL" || er.code === "EPERM")
            return true;
        }
        return false;
      }
    }
  }
});

// ../../node_modules/.pnpm/graceful-fs@4.2.12/node_modules/graceful-fs/legacy-streams.js
var require_legacy_streams = __commonJS({
  "../../node_modules/.pnpm/graceful-fs@4.2.12/node_modules/graceful-fs/legacy-streams.js"(exports, module) {
    var Stream = __require("stream").Stream;
    module.exports = legacy;
    function legacy(fs) {
      return {
        ReadStream,
        WriteStream
      };
      function ReadStream(path, options) {
        if (!(this instanceof ReadStream)) return new ReadStream(path, options);
        Stream.call(this);
        var self = this;
        this.path = path;
        this.fd = null;
        this.readable = true;
        this.paused = false;
        this.flags = "r";
        this.mode = 438;
        this.bufferSize = 64 * 1024;
        options = options || {};
        var keys = Object.keys(options);
        for (var index = 0, length = keys.length; index < length; index++) {
          var key = keys[index];
          this[key] = options[key];
        }
        if (this.encoding) this.setEncoding(this.encoding);
        if (this.start !== void 0) {
          if ("number" !== typeof this.start) {
            throw TypeError("start must be a Number");
          }
          if (this.end === void 0) {
            this.end = Infinity;
          } else if ("number" !== typeof this.end) {
            throw TypeError("end must be a Number");
          }
          if (this.start > this.end) {
            throw new Error("start must be <= end");
          }
          this.pos = this.start;
        }
        if (this.fd !== null) {
          process.nextTick(function() {
            self._read();
          });
          return;
        }
        fs.open(this.path, this.flags, this.mode, function(err, fd) {
          if (err) {
            self.emit("error", err);
            self.readable = false;
            return;
          }
          self.fd = fd;
          self.emit("open", fd);
          self._read();
        });
      }
      function WriteStream(path, options) {
        if (!(this instanceof WriteStream)) return new WriteStream(path, options);
        Stream.call(this);
        this.path = path;
        this.fd = null;
        this.writable = true;
        this.flags = "w";
        this.encoding = "binary";
        this.mode = 438;
        this.bytesWritten = 0;
        options = options || {};
        var keys = Object.keys(options);
        for (var index = 0, length = keys.length; index < length; index++) {
          var key = keys[index];
          this[key] = options[key];
        }
        if (this.start !== void 0) {
          if ("number" !== typeof this.start) {
            throw TypeError("start must be a Number");
          }
          if (this.start < 0) {
            throw new Error("start must be >= zero");
          }
          this.pos = this.start;
        }
        this.busy = false;
        this._queue = [];
        if (this.fd === null) {
          this._open = fs.open;
          this._queue.push([this._open, this.path, this.flags, this.mode, void 0]);
          this.flush();
        }
      }
    }
  }
});

// ../../node_modules/.pnpm/graceful-fs@4.2.12/node_modules/graceful-fs/clone.js
var require_clone = __commonJS({
  "../../node_modules/.pnpm/graceful-fs@4.2.12/node_modules/graceful-fs/clone.js"(exports, module) {
    "use strict";
    module.exports = clone;
    var getPrototypeOf = Object.getPrototypeOf || function(obj) {
      return obj.__proto__;
    };
    function clone(obj) {
      if (obj === null || typeof obj !== "object")
        return obj;
      if (obj instanceof Object)
        var copy = { __proto__: getPrototypeOf(obj) };
      else
        var copy = /* @__PURE__ */ Object.create(null);
      Object.getOwnPropertyNames(obj).forEach(function(key) {
        Object.defineProperty(copy, key, Object.getOwnPropertyDescriptor(obj, key));
      });
      return copy;
    }
  }
});

// ../../node_modules/.pnpm/graceful-fs@4.2.12/node_modules/graceful-fs/graceful-fs.js
var require_graceful_fs = __commonJS({
  "../../node_modules/.pnpm/graceful-fs@4.2.12/node_modules/graceful-fs/graceful-fs.js"(exports, module) {
    var fs = __require("fs");
    var polyfills = require_polyfills();
    var legacy = require_legacy_streams();
    var clone = require_clone();
    var util = __require("util");
    var gracefulQueue;
    var previousSymbol;
    if (typeof Symbol === "function" && typeof Symbol.for === "function") {
      gracefulQueue = Symbol.for("graceful-fs.queue");
      previousSymbol = Symbol.for("graceful-fs.previous");
    } else {
      gracefulQueue = "___graceful-fs.queue";
      previousSymbol = "___graceful-fs.previous";
    }
    function noop() {
    }
    function publishQueue(context, queue2) {
      Object.defineProperty(context, gracefulQueue, {
        get: function() {
          return queue2;
        }
      });
    }
    var debug = noop;
    if (util.debuglog)
      debug = util.debuglog("gfs4");
    else if (/\bgfs4\b/i.test(process.env.NODE_DEBUG || ""))
      debug = function() {
        var m = util.format.apply(util, arguments);
        m = "GFS4: " + m.split(/\n/).join("\nGFS4: ");
        console.error(m);
      };
    if (!fs[gracefulQueue]) {
      queue = global[gracefulQueue] || [];
      publishQueue(fs, queue);
      fs.close = (function(fs$close) {
        function close(fd, cb) {
          return fs$close.call(fs, fd, function(err) {
            if (!err) {
              resetQueue();
            }
            if (typeof cb === "function")
              cb.apply(this, arguments);
          });
        }
        Object.defineProperty(close, previousSymbol, {
          value: fs$close
        });
        return close;
      })(fs.close);
      fs.closeSync = (function(fs$closeSync) {
        function closeSync(fd) {
          fs$closeSync.apply(fs, arguments);
          resetQueue();
        }
        Object.defineProperty(closeSync, previousSymbol, {
          value: fs$closeSync
        });
        return closeSync;
      })(fs.closeSync);
      if (/\bgfs4\b/i.test(process.env.NODE_DEBUG || "")) {
        process.on("exit", function() {
          debug(fs[gracefulQueue]);
          __require("assert").equal(fs[gracefulQueue].length, 0);
        });
      }
    }
    var queue;
    if (!global[gracefulQueue]) {
      publishQueue(global, fs[gracefulQueue]);
    }
    module.exports = patch(clone(fs));
    if (process.env.TEST_GRACEFUL_FS_GLOBAL_PATCH && !fs.__patched) {
      module.exports = patch(fs);
      fs.__patched = true;
    }
    function patch(fs2) {
      polyfills(fs2);
      fs2.gracefulify = patch;
      fs2.createReadStream = createReadStream;
      fs2.createWriteStream = createWriteStream;
      var fs$readFile = fs2.readFile;
      fs2.readFile = readFile5;
      function readFile5(path, options, cb) {
        if (typeof options === "function")
          cb = options, options = null;
        return go$readFile(path, options, cb);
        function go$readFile(path2, options2, cb2, startTime) {
          return fs$readFile(path2, options2, function(err) {
            if (err && (err.code === "EMFILE" || err.code === "ENFILE"))
              enqueue([go$readFile, [path2, options2, cb2], err, startTime || Date.now(), Date.now()]);
            else {
              if (typeof cb2 === "function")
                cb2.apply(this, arguments);
            }
          });
        }
      }
      var fs$writeFile = fs2.writeFile;
      fs2.writeFile = writeFile2;
      function writeFile2(path, data, options, cb) {
        if (typeof options === "function")
          cb = options, options = null;
        return go$writeFile(path, data, options, cb);
        function go$writeFile(path2, data2, options2, cb2, startTime) {
          return fs$writeFile(path2, data2, options2, function(err) {
            if (err && (err.code === "EMFILE" || err.code === "ENFILE"))
              enqueue([go$writeFile, [path2, data2, options2, cb2], err, startTime || Date.now(), Date.now()]);
            else {
              if (typeof cb2 === "function")
                cb2.apply(this, arguments);
            }
          });
        }
      }
      var fs$appendFile = fs2.appendFile;
      if (fs$appendFile)
        fs2.appendFile = appendFile2;
      function appendFile2(path, data, options, cb) {
        if (typeof options === "function")
          cb = options, options = null;
        return go$appendFile(path, data, options, cb);
        function go$appendFile(path2, data2, options2, cb2, startTime) {
          return fs$appendFile(path2, data2, options2, function(err) {
            if (err && (err.code === "EMFILE" || err.code === "ENFILE"))
              enqueue([go$appendFile, [path2, data2, options2, cb2], err, startTime || Date.now(), Date.now()]);
            else {
              if (typeof cb2 === "function")
                cb2.apply(this, arguments);
            }
          });
        }
      }
      var fs$copyFile = fs2.copyFile;
      if (fs$copyFile)
        fs2.copyFile = copyFile2;
      function copyFile2(src, dest, flags, cb) {
        if (typeof flags === "function") {
          cb = flags;
          flags = 0;
        }
        return go$copyFile(src, dest, flags, cb);
        function go$copyFile(src2, dest2, flags2, cb2, startTime) {
          return fs$copyFile(src2, dest2, flags2, function(err) {
            if (err && (err.code === "EMFILE" || err.code === "ENFILE"))
              enqueue([go$copyFile, [src2, dest2, flags2, cb2], err, startTime || Date.now(), Date.now()]);
            else {
              if (typeof cb2 === "function")
                cb2.apply(this, arguments);
            }
          });
        }
      }
      var fs$readdir = fs2.readdir;
      fs2.readdir = readdir3;
      var noReaddirOptionVersions = /^v[0-5]\./;
      function readdir3(path, options, cb) {
        if (typeof options === "function")
          cb = options, options = null;
        var go$readdir = noReaddirOptionVersions.test(process.version) ? function go$readdir2(path2, options2, cb2, startTime) {
          return fs$readdir(path2, fs$readdirCallback(
            path2,
            options2,
            cb2,
            startTime
          ));
        } : function go$readdir2(path2, options2, cb2, startTime) {
          return fs$readdir(path2, options2, fs$readdirCallback(
            path2,
            options2,
            cb2,
            startTime
          ));
        };
        return go$readdir(path, options, cb);
        function fs$readdirCallback(path2, options2, cb2, startTime) {
          return function(err, files) {
            if (err && (err.code === "EMFILE" || err.code === "ENFILE"))
              enqueue([
                go$readdir,
                [path2, options2, cb2],
                err,
                startTime || Date.now(),
                Date.now()
              ]);
            else {
              if (files && files.sort)
                files.sort();
              if (typeof cb2 === "function")
                cb2.call(this, err, files);
            }
          };
        }
      }
      if (process.version.substr(0, 4) === "v0.8") {
        var legStreams = legacy(fs2);
        ReadStream = legStreams.ReadStream;
        WriteStream = legStreams.WriteStream;
      }
      var fs$ReadStream = fs2.ReadStream;
      if (fs$ReadStream) {
        ReadStream.prototype = Object.create(fs$ReadStream.prototype);
        ReadStream.prototype.open = ReadStream$open;
      }
      var fs$WriteStream = fs2.WriteStream;
      if (fs$WriteStream) {
        WriteStream.prototype = Object.create(fs$WriteStream.prototype);
        WriteStream.prototype.open = WriteStream$open;
      }
      Object.defineProperty(fs2, "ReadStream", {
        get: function() {
          return ReadStream;
        },
        set: function(val) {
          ReadStream = val;
        },
        enumerable: true,
        configurable: true
      });
      Object.defineProperty(fs2, "WriteStream", {
        get: function() {
          return WriteStream;
        },
        set: function(val) {
          WriteStream = val;
        },
        enumerable: true,
        configurable: true
      });
      var FileReadStream = ReadStream;
      Object.defineProperty(fs2, "FileReadStream", {
        get: function() {
          return FileReadStream;
        },
        set: function(val) {
          FileReadStream = val;
        },
        enumerable: true,
        configurable: true
      });
      var FileWriteStream = WriteStream;
      Object.defineProperty(fs2, "FileWriteStream", {
        get: function() {
          return FileWriteStream;
        },
        set: function(val) {
          FileWriteStream = val;
        },
        enumerable: true,
        configurable: true
      });
      function ReadStream(path, options) {
        if (this instanceof ReadStream)
          return fs$ReadStream.apply(this, arguments), this;
        else
          return ReadStream.apply(Object.create(ReadStream.prototype), arguments);
      }
      function ReadStream$open() {
        var that = this;
        open2(that.path, that.flags, that.mode, function(err, fd) {
          if (err) {
            if (that.autoClose)
              that.destroy();
            that.emit("error", err);
          } else {
            that.fd = fd;
            that.emit("open", fd);
            that.read();
          }
        });
      }
      function WriteStream(path, options) {
        if (this instanceof WriteStream)
          return fs$WriteStream.apply(this, arguments), this;
        else
          return WriteStream.apply(Object.create(WriteStream.prototype), arguments);
      }
      function WriteStream$open() {
        var that = this;
        open2(that.path, that.flags, that.mode, function(err, fd) {
          if (err) {
            that.destroy();
            that.emit("error", err);
          } else {
            that.fd = fd;
            that.emit("open", fd);
          }
        });
      }
      function createReadStream(path, options) {
        return new fs2.ReadStream(path, options);
      }
      function createWriteStream(path, options) {
        return new fs2.WriteStream(path, options);
      }
      var fs$open = fs2.open;
      fs2.open = open2;
      function open2(path, flags, mode, cb) {
        if (typeof mode === "function")
          cb = mode, mode = null;
        return go$open(path, flags, mode, cb);
        function go$open(path2, flags2, mode2, cb2, startTime) {
          return fs$open(path2, flags2, mode2, function(err, fd) {
            if (err && (err.code === "EMFILE" || err.code === "ENFILE"))
              enqueue([go$open, [path2, flags2, mode2, cb2], err, startTime || Date.now(), Date.now()]);
            else {
              if (typeof cb2 === "function")
                cb2.apply(this, arguments);
            }
          });
        }
      }
      return fs2;
    }
    function enqueue(elem) {
      debug("ENQUEUE", elem[0].name, elem[1]);
      fs[gracefulQueue].push(elem);
      retry();
    }
    var retryTimer;
    function resetQueue() {
      var now = Date.now();
      for (var i = 0; i < fs[gracefulQueue].length; ++i) {
        if (fs[gracefulQueue][i].length > 2) {
          fs[gracefulQueue][i][3] = now;
          fs[gracefulQueue][i][4] = now;
        }
      }
      retry();
    }
    function retry() {
      clearTimeout(retryTimer);
      retryTimer = void 0;
      if (fs[gracefulQueue].length === 0)
        return;
      var elem = fs[gracefulQueue].shift();
      var fn = elem[0];
      var args = elem[1];
      var err = elem[2];
      var startTime = elem[3];
      var lastTime = elem[4];
      if (startTime === void 0) {
        debug("RETRY", fn.name, args);
        fn.apply(null, args);
      } else if (Date.now() - startTime >= 6e4) {
        debug("TIMEOUT", fn.name, args);
        var cb = args.pop();
        if (typeof cb === "function")
          cb.call(null, err);
      } else {
        var sinceAttempt = Date.now() - lastTime;
        var sinceStart = Math.max(lastTime - startTime, 1);
        var desiredDelay = Math.min(sinceStart * 1.2, 100);
        if (sinceAttempt >= desiredDelay) {
          debug("RETRY", fn.name, args);
          fn.apply(null, args.concat([startTime]));
        } else {
          fs[gracefulQueue].push(elem);
        }
      }
      if (retryTimer === void 0) {
        retryTimer = setTimeout(retry, 0);
      }
    }
  }
});

// ../../node_modules/.pnpm/retry@0.12.0/node_modules/retry/lib/retry_operation.js
var require_retry_operation = __commonJS({
  "../../node_modules/.pnpm/retry@0.12.0/node_modules/retry/lib/retry_operation.js"(exports, module) {
    function RetryOperation(timeouts, options) {
      if (typeof options === "boolean") {
        options = { forever: options };
      }
      this._originalTimeouts = JSON.parse(JSON.stringify(timeouts));
      this._timeouts = timeouts;
      this._options = options || {};
      this._maxRetryTime = options && options.maxRetryTime || Infinity;
      this._fn = null;
      this._errors = [];
      this._attempts = 1;
      this._operationTimeout = null;
      this._operationTimeoutCb = null;
      this._timeout = null;
      this._operationStart = null;
      if (this._options.forever) {
        this._cachedTimeouts = this._timeouts.slice(0);
      }
    }
    module.exports = RetryOperation;
    RetryOperation.prototype.reset = function() {
      this._attempts = 1;
      this._timeouts = this._originalTimeouts;
    };
    RetryOperation.prototype.stop = function() {
      if (this._timeout) {
        clearTimeout(this._timeout);
      }
      this._timeouts = [];
      this._cachedTimeouts = null;
    };
    RetryOperation.prototype.retry = function(err) {
      if (this._timeout) {
        clearTimeout(this._timeout);
      }
      if (!err) {
        return false;
      }
      var currentTime = (/* @__PURE__ */ new Date()).getTime();
      if (err && currentTime - this._operationStart >= this._maxRetryTime) {
        this._errors.unshift(new Error("RetryOperation timeout occurred"));
        return false;
      }
      this._errors.push(err);
      var timeout = this._timeouts.shift();
      if (timeout === void 0) {
        if (this._cachedTimeouts) {
          this._errors.splice(this._errors.length - 1, this._errors.length);
          this._timeouts = this._cachedTimeouts.slice(0);
          timeout = this._timeouts.shift();
        } else {
          return false;
        }
      }
      var self = this;
      var timer = setTimeout(function() {
        self._attempts++;
        if (self._operationTimeoutCb) {
          self._timeout = setTimeout(function() {
            self._operationTimeoutCb(self._attempts);
          }, self._operationTimeout);
          if (self._options.unref) {
            self._timeout.unref();
          }
        }
        self._fn(self._attempts);
      }, timeout);
      if (this._options.unref) {
        timer.unref();
      }
      return true;
    };
    RetryOperation.prototype.attempt = function(fn, timeoutOps) {
      this._fn = fn;
      if (timeoutOps) {
        if (timeoutOps.timeout) {
          this._operationTimeout = timeoutOps.timeout;
        }
        if (timeoutOps.cb) {
          this._operationTimeoutCb = timeoutOps.cb;
        }
      }
      var self = this;
      if (this._operationTimeoutCb) {
        this._timeout = setTimeout(function() {
          self._operationTimeoutCb();
        }, self._operationTimeout);
      }
      this._operationStart = (/* @__PURE__ */ new Date()).getTime();
      this._fn(this._attempts);
    };
    RetryOperation.prototype.try = function(fn) {
      console.log("Using RetryOperation.try() is deprecated");
      this.attempt(fn);
    };
    RetryOperation.prototype.start = function(fn) {
      console.log("Using RetryOperation.start() is deprecated");
      this.attempt(fn);
    };
    RetryOperation.prototype.start = RetryOperation.prototype.try;
    RetryOperation.prototype.errors = function() {
      return this._errors;
    };
    RetryOperation.prototype.attempts = function() {
      return this._attempts;
    };
    RetryOperation.prototype.mainError = function() {
      if (this._errors.length === 0) {
        return null;
      }
      var counts = {};
      var mainError = null;
      var mainErrorCount = 0;
      for (var i = 0; i < this._errors.length; i++) {
        var error = this._errors[i];
        var message = error.message;
        var count = (counts[message] || 0) + 1;
        counts[message] = count;
        if (count >= mainErrorCount) {
          mainError = error;
          mainErrorCount = count;
        }
      }
      return mainError;
    };
  }
});

// ../../node_modules/.pnpm/retry@0.12.0/node_modules/retry/lib/retry.js
var require_retry = __commonJS({
  "../../node_modules/.pnpm/retry@0.12.0/node_modules/retry/lib/retry.js"(exports) {
    var RetryOperation = require_retry_operation();
    exports.operation = function(options) {
      var timeouts = exports.timeouts(options);
      return new RetryOperation(timeouts, {
        forever: options && options.forever,
        unref: options && options.unref,
        maxRetryTime: options && options.maxRetryTime
      });
    };
    exports.timeouts = function(options) {
      if (options instanceof Array) {
        return [].concat(options);
      }
      var opts = {
        retries: 10,
        factor: 2,
        minTimeout: 1 * 1e3,
        maxTimeout: Infinity,
        randomize: false
      };
      for (var key in options) {
        opts[key] = options[key];
      }
      if (opts.minTimeout > opts.maxTimeout) {
        throw new Error("minTimeout is greater than maxTimeout");
      }
      var timeouts = [];
      for (var i = 0; i < opts.retries; i++) {
        timeouts.push(this.createTimeout(i, opts));
      }
      if (options && options.forever && !timeouts.length) {
        timeouts.push(this.createTimeout(i, opts));
      }
      timeouts.sort(function(a, b) {
        return a - b;
      });
      return timeouts;
    };
    exports.createTimeout = function(attempt, opts) {
      var random = opts.randomize ? Math.random() + 1 : 1;
      var timeout = Math.round(random * opts.minTimeout * Math.pow(opts.factor, attempt));
      timeout = Math.min(timeout, opts.maxTimeout);
      return timeout;
    };
    exports.wrap = function(obj, options, methods) {
      if (options instanceof Array) {
        methods = options;
        options = null;
      }
      if (!methods) {
        methods = [];
        for (var key in obj) {
          if (typeof obj[key] === "function") {
            methods.push(key);
          }
        }
      }
      for (var i = 0; i < methods.length; i++) {
        var method = methods[i];
        var original = obj[method];
        obj[method] = function retryWrapper(original2) {
          var op = exports.operation(options);
          var args = Array.prototype.slice.call(arguments, 1);
          var callback = args.pop();
          args.push(function(err) {
            if (op.retry(err)) {
              return;
            }
            if (err) {
              arguments[0] = op.mainError();
            }
            callback.apply(this, arguments);
          });
          op.attempt(function() {
            original2.apply(obj, args);
          });
        }.bind(obj, original);
        obj[method].options = options;
      }
    };
  }
});

// ../../node_modules/.pnpm/retry@0.12.0/node_modules/retry/index.js
var require_retry2 = __commonJS({
  "../../node_modules/.pnpm/retry@0.12.0/node_modules/retry/index.js"(exports, module) {
    module.exports = require_retry();
  }
});

// ../../node_modules/.pnpm/signal-exit@3.0.7/node_modules/signal-exit/signals.js
var require_signals = __commonJS({
  "../../node_modules/.pnpm/signal-exit@3.0.7/node_modules/signal-exit/signals.js"(exports, module) {
    module.exports = [
      "SIGABRT",
      "SIGALRM",
      "SIGHUP",
      "SIGINT",
      "SIGTERM"
    ];
    if (process.platform !== "win32") {
      module.exports.push(
        "SIGVTALRM",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGUSR2",
        "SIGTRAP",
        "SIGSYS",
        "SIGQUIT",
        "SIGIOT"
        // should detect profiler and enable/disable accordingly.
        // see #21
        // 'SIGPROF'
      );
    }
    if (process.platform === "linux") {
      module.exports.push(
        "SIGIO",
        "SIGPOLL",
        "SIGPWR",
        "SIGSTKFLT",
        "SIGUNUSED"
      );
    }
  }
});

// ../../node_modules/.pnpm/signal-exit@3.0.7/node_modules/signal-exit/index.js
var require_signal_exit = __commonJS({
  "../../node_modules/.pnpm/signal-exit@3.0.7/node_modules/signal-exit/index.js"(exports, module) {
    var process2 = global.process;
    var processOk = function(process3) {
      return process3 && typeof process3 === "object" && typeof process3.removeListener === "function" && typeof process3.emit === "function" && typeof process3.reallyExit === "function" && typeof process3.listeners === "function" && typeof process3.kill === "function" && typeof process3.pid === "number" && typeof process3.on === "function";
    };
    if (!processOk(process2)) {
      module.exports = function() {
        return function() {
        };
      };
    } else {
      assert = __require("assert");
      signals = require_signals();
      isWin = /^win/i.test(process2.platform);
      EE = __require("events");
      if (typeof EE !== "function") {
        EE = EE.EventEmitter;
      }
      if (process2.__signal_exit_emitter__) {
        emitter = process2.__signal_exit_emitter__;
      } else {
        emitter = process2.__signal_exit_emitter__ = new EE();
        emitter.count = 0;
        emitter.emitted = {};
      }
      if (!emitter.infinite) {
        emitter.setMaxListeners(Infinity);
        emitter.infinite = true;
      }
      module.exports = function(cb, opts) {
        if (!processOk(global.process)) {
          return function() {
          };
        }
        assert.equal(typeof cb, "function", "a callback must be provided for exit handler");
        if (loaded === false) {
          load();
        }
        var ev = "exit";
        if (opts && opts.alwaysLast) {
          ev = "afterexit";
        }
        var remove = function() {
          emitter.removeListener(ev, cb);
          if (emitter.listeners("exit").length === 0 && emitter.listeners("afterexit").length === 0) {
            unload();
          }
        };
        emitter.on(ev, cb);
        return remove;
      };
      unload = function unload2() {
        if (!loaded || !processOk(global.process)) {
          return;
        }
        loaded = false;
        signals.forEach(function(sig) {
          try {
            process2.removeListener(sig, sigListeners[sig]);
          } catch (er) {
          }
        });
        process2.emit = originalProcessEmit;
        process2.reallyExit = originalProcessReallyExit;
        emitter.count -= 1;
      };
      module.exports.unload = unload;
      emit = function emit2(event, code, signal) {
        if (emitter.emitted[event]) {
          return;
        }
        emitter.emitted[event] = true;
        emitter.emit(event, code, signal);
      };
      sigListeners = {};
      signals.forEach(function(sig) {
        sigListeners[sig] = function listener() {
          if (!processOk(global.process)) {
            return;
          }
          var listeners = process2.listeners(sig);
          if (listeners.length === emitter.count) {
            unload();
            emit("exit", null, sig);
            emit("afterexit", null, sig);
            if (isWin && sig === "SIGHUP") {
              sig = "SIGINT";
            }
            process2.kill(process2.pid, sig);
          }
        };
      });
      module.exports.signals = function() {
        return signals;
      };
      loaded = false;
      load = function load2() {
        if (loaded || !processOk(global.process)) {
          return;
        }
        loaded = true;
        emitter.count += 1;
        signals = signals.filter(function(sig) {
          try {
            process2.on(sig, sigListeners[sig]);
            return true;
          } catch (er) {
            return false;
          }
        });
        process2.emit = processEmit;
        process2.reallyExit = processReallyExit;
      };
      module.exports.load = load;
      originalProcessReallyExit = process2.reallyExit;
      processReallyExit = function processReallyExit2(code) {
        if (!processOk(global.process)) {
          return;
        }
        process2.exitCode = code || /* istanbul ignore next */
        0;
        emit("exit", process2.exitCode, null);
        emit("afterexit", process2.exitCode, null);
        originalProcessReallyExit.call(process2, process2.exitCode);
      };
      originalProcessEmit = process2.emit;
      processEmit = function processEmit2(ev, arg) {
        if (ev === "exit" && processOk(global.process)) {
          if (arg !== void 0) {
            process2.exitCode = arg;
          }
          var ret = originalProcessEmit.apply(this, arguments);
          emit("exit", process2.exitCode, null);
          emit("afterexit", process2.exitCode, null);
          return ret;
        } else {
          return originalProcessEmit.apply(this, arguments);
        }
      };
    }
    var assert;
    var signals;
    var isWin;
    var EE;
    var emitter;
    var unload;
    var emit;
    var sigListeners;
    var loaded;
    var load;
    var originalProcessReallyExit;
    var processReallyExit;
    var originalProcessEmit;
    var processEmit;
  }
});

// ../../node_modules/.pnpm/proper-lockfile@4.1.2/node_modules/proper-lockfile/lib/mtime-precision.js
var require_mtime_precision = __commonJS({
  "../../node_modules/.pnpm/proper-lockfile@4.1.2/node_modules/proper-lockfile/lib/mtime-precision.js"(exports, module) {
    "use strict";
    var cacheSymbol = Symbol();
    function probe(file, fs, callback) {
      const cachedPrecision = fs[cacheSymbol];
      if (cachedPrecision) {
        return fs.stat(file, (err, stat4) => {
          if (err) {
            return callback(err);
          }
          callback(null, stat4.mtime, cachedPrecision);
        });
      }
      const mtime = new Date(Math.ceil(Date.now() / 1e3) * 1e3 + 5);
      fs.utimes(file, mtime, mtime, (err) => {
        if (err) {
          return callback(err);
        }
        fs.stat(file, (err2, stat4) => {
          if (err2) {
            return callback(err2);
          }
          const precision = stat4.mtime.getTime() % 1e3 === 0 ? "s" : "ms";
          Object.defineProperty(fs, cacheSymbol, { value: precision });
          callback(null, stat4.mtime, precision);
        });
      });
    }
    function getMtime(precision) {
      let now = Date.now();
      if (precision === "s") {
        now = Math.ceil(now / 1e3) * 1e3;
      }
      return new Date(now);
    }
    module.exports.probe = probe;
    module.exports.getMtime = getMtime;
  }
});

// ../../node_modules/.pnpm/proper-lockfile@4.1.2/node_modules/proper-lockfile/lib/lockfile.js
var require_lockfile = __commonJS({
  "../../node_modules/.pnpm/proper-lockfile@4.1.2/node_modules/proper-lockfile/lib/lockfile.js"(exports, module) {
    "use strict";
    var path = __require("path");
    var fs = require_graceful_fs();
    var retry = require_retry2();
    var onExit = require_signal_exit();
    var mtimePrecision = require_mtime_precision();
    var locks = {};
    function getLockFile(file, options) {
      return options.lockfilePath || `${file}.lock`;
    }
    function resolveCanonicalPath(file, options, callback) {
      if (!options.realpath) {
        return callback(null, path.resolve(file));
      }
      options.fs.realpath(file, callback);
    }
    function acquireLock(file, options, callback) {
      const lockfilePath = getLockFile(file, options);
      options.fs.mkdir(lockfilePath, (err) => {
        if (!err) {
          return mtimePrecision.probe(lockfilePath, options.fs, (err2, mtime, mtimePrecision2) => {
            if (err2) {
              options.fs.rmdir(lockfilePath, () => {
              });
              return callback(err2);
            }
            callback(null, mtime, mtimePrecision2);
          });
        }
        if (err.code !== "EEXIST") {
          return callback(err);
        }
        if (options.stale <= 0) {
          return callback(Object.assign(new Error("Lock file is already being held"), { code: "ELOCKED", file }));
        }
        options.fs.stat(lockfilePath, (err2, stat4) => {
          if (err2) {
            if (err2.code === "ENOENT") {
              return acquireLock(file, { ...options, stale: 0 }, callback);
            }
            return callback(err2);
          }
          if (!isLockStale(stat4, options)) {
            return callback(Object.assign(new Error("Lock file is already being held"), { code: "ELOCKED", file }));
          }
          removeLock(file, options, (err3) => {
            if (err3) {
              return callback(err3);
            }
            acquireLock(file, { ...options, stale: 0 }, callback);
          });
        });
      });
    }
    function isLockStale(stat4, options) {
      return stat4.mtime.getTime() < Date.now() - options.stale;
    }
    function removeLock(file, options, callback) {
      options.fs.rmdir(getLockFile(file, options), (err) => {
        if (err && err.code !== "ENOENT") {
          return callback(err);
        }
        callback();
      });
    }
    function updateLock(file, options) {
      const lock2 = locks[file];
      if (lock2.updateTimeout) {
        return;
      }
      lock2.updateDelay = lock2.updateDelay || options.update;
      lock2.updateTimeout = setTimeout(() => {
        lock2.updateTimeout = null;
        options.fs.stat(lock2.lockfilePath, (err, stat4) => {
          const isOverThreshold = lock2.lastUpdate + options.stale < Date.now();
          if (err) {
            if (err.code === "ENOENT" || isOverThreshold) {
              return setLockAsCompromised(file, lock2, Object.assign(err, { code: "ECOMPROMISED" }));
            }
            lock2.updateDelay = 1e3;
            return updateLock(file, options);
          }
          const isMtimeOurs = lock2.mtime.getTime() === stat4.mtime.getTime();
          if (!isMtimeOurs) {
            return setLockAsCompromised(
              file,
              lock2,
              Object.assign(
                new Error("Unable to update lock within the stale threshold"),
                { code: "ECOMPROMISED" }
              )
            );
          }
          const mtime = mtimePrecision.getMtime(lock2.mtimePrecision);
          options.fs.utimes(lock2.lockfilePath, mtime, mtime, (err2) => {
            const isOverThreshold2 = lock2.lastUpdate + options.stale < Date.now();
            if (lock2.released) {
              return;
            }
            if (err2) {
              if (err2.code === "ENOENT" || isOverThreshold2) {
                return setLockAsCompromised(file, lock2, Object.assign(err2, { code: "ECOMPROMISED" }));
              }
              lock2.updateDelay = 1e3;
              return updateLock(file, options);
            }
            lock2.mtime = mtime;
            lock2.lastUpdate = Date.now();
            lock2.updateDelay = null;
            updateLock(file, options);
          });
        });
      }, lock2.updateDelay);
      if (lock2.updateTimeout.unref) {
        lock2.updateTimeout.unref();
      }
    }
    function setLockAsCompromised(file, lock2, err) {
      lock2.released = true;
      if (lock2.updateTimeout) {
        clearTimeout(lock2.updateTimeout);
      }
      if (locks[file] === lock2) {
        delete locks[file];
      }
      lock2.options.onCompromised(err);
    }
    function lock(file, options, callback) {
      options = {
        stale: 1e4,
        update: null,
        realpath: true,
        retries: 0,
        fs,
        onCompromised: (err) => {
          throw err;
        },
        ...options
      };
      options.retries = options.retries || 0;
      options.retries = typeof options.retries === "number" ? { retries: options.retries } : options.retries;
      options.stale = Math.max(options.stale || 0, 2e3);
      options.update = options.update == null ? options.stale / 2 : options.update || 0;
      options.update = Math.max(Math.min(options.update, options.stale / 2), 1e3);
      resolveCanonicalPath(file, options, (err, file2) => {
        if (err) {
          return callback(err);
        }
        const operation = retry.operation(options.retries);
        operation.attempt(() => {
          acquireLock(file2, options, (err2, mtime, mtimePrecision2) => {
            if (operation.retry(err2)) {
              return;
            }
            if (err2) {
              return callback(operation.mainError());
            }
            const lock2 = locks[file2] = {
              lockfilePath: getLockFile(file2, options),
              mtime,
              mtimePrecision: mtimePrecision2,
              options,
              lastUpdate: Date.now()
            };
            updateLock(file2, options);
            callback(null, (releasedCallback) => {
              if (lock2.released) {
                return releasedCallback && releasedCallback(Object.assign(new Error("Lock is already released"), { code: "ERELEASED" }));
              }
              unlock(file2, { ...options, realpath: false }, releasedCallback);
            });
          });
        });
      });
    }
    function unlock(file, options, callback) {
      options = {
        fs,
        realpath: true,
        ...options
      };
      resolveCanonicalPath(file, options, (err, file2) => {
        if (err) {
          return callback(err);
        }
        const lock2 = locks[file2];
        if (!lock2) {
          return callback(Object.assign(new Error("Lock is not acquired/owned by you"), { code: "ENOTACQUIRED" }));
        }
        lock2.updateTimeout && clearTimeout(lock2.updateTimeout);
        lock2.released = true;
        delete locks[file2];
        removeLock(file2, options, callback);
      });
    }
    function check(file, options, callback) {
      options = {
        stale: 1e4,
        realpath: true,
        fs,
        ...options
      };
      options.stale = Math.max(options.stale || 0, 2e3);
      resolveCanonicalPath(file, options, (err, file2) => {
        if (err) {
          return callback(err);
        }
        options.fs.stat(getLockFile(file2, options), (err2, stat4) => {
          if (err2) {
            return err2.code === "ENOENT" ? callback(null, false) : callback(err2);
          }
          return callback(null, !isLockStale(stat4, options));
        });
      });
    }
    function getLocks() {
      return locks;
    }
    onExit(() => {
      for (const file in locks) {
        const options = locks[file].options;
        try {
          options.fs.rmdirSync(getLockFile(file, options));
        } catch (e) {
        }
      }
    });
    module.exports.lock = lock;
    module.exports.unlock = unlock;
    module.exports.check = check;
    module.exports.getLocks = getLocks;
  }
});

// ../../node_modules/.pnpm/proper-lockfile@4.1.2/node_modules/proper-lockfile/lib/adapter.js
var require_adapter = __commonJS({
  "../../node_modules/.pnpm/proper-lockfile@4.1.2/node_modules/proper-lockfile/lib/adapter.js"(exports, module) {
    "use strict";
    var fs = require_graceful_fs();
    function createSyncFs(fs2) {
      const methods = ["mkdir", "realpath", "stat", "rmdir", "utimes"];
      const newFs = { ...fs2 };
      methods.forEach((method) => {
        newFs[method] = (...args) => {
          const callback = args.pop();
          let ret;
          try {
            ret = fs2[`${method}Sync`](...args);
          } catch (err) {
            return callback(err);
          }
          callback(null, ret);
        };
      });
      return newFs;
    }
    function toPromise(method) {
      return (...args) => new Promise((resolve, reject) => {
        args.push((err, result) => {
          if (err) {
            reject(err);
          } else {
            resolve(result);
          }
        });
        method(...args);
      });
    }
    function toSync(method) {
      return (...args) => {
        let err;
        let result;
        args.push((_err, _result) => {
          err = _err;
          result = _result;
        });
        method(...args);
        if (err) {
          throw err;
        }
        return result;
      };
    }
    function toSyncOptions(options) {
      options = { ...options };
      options.fs = createSyncFs(options.fs || fs);
      if (typeof options.retries === "number" && options.retries > 0 || options.retries && typeof options.retries.retries === "number" && options.retries.retries > 0) {
        throw Object.assign(new Error("Cannot use retries with the sync api"), { code: "ESYNC" });
      }
      return options;
    }
    module.exports = {
      toPromise,
      toSync,
      toSyncOptions
    };
  }
});

// ../../node_modules/.pnpm/proper-lockfile@4.1.2/node_modules/proper-lockfile/index.js
var require_proper_lockfile = __commonJS({
  "../../node_modules/.pnpm/proper-lockfile@4.1.2/node_modules/proper-lockfile/index.js"(exports, module) {
    "use strict";
    var lockfile2 = require_lockfile();
    var { toPromise, toSync, toSyncOptions } = require_adapter();
    async function lock(file, options) {
      const release = await toPromise(lockfile2.lock)(file, options);
      return toPromise(release);
    }
    function lockSync(file, options) {
      const release = toSync(lockfile2.lock)(file, toSyncOptions(options));
      return toSync(release);
    }
    function unlock(file, options) {
      return toPromise(lockfile2.unlock)(file, options);
    }
    function unlockSync(file, options) {
      return toSync(lockfile2.unlock)(file, toSyncOptions(options));
    }
    function check(file, options) {
      return toPromise(lockfile2.check)(file, options);
    }
    function checkSync(file, options) {
      return toSync(lockfile2.check)(file, toSyncOptions(options));
    }
    module.exports = lock;
    module.exports.lock = lock;
    module.exports.unlock = unlock;
    module.exports.lockSync = lockSync;
    module.exports.unlockSync = unlockSync;
    module.exports.check = check;
    module.exports.checkSync = checkSync;
  }
});

// ../../packages/migration/dist/operations/defaults.js
var DEFAULT_RETENTION_DAYS = 7;
var DEFAULT_FREEZE_TIMEOUT_MS = 5e3;
var ROLLBACK_TARGETS = ["json-only", "dual-write"];

// ../../packages/json-tracker/dist/writer-state.js
import { readFile } from "node:fs/promises";
var KEPT_FOREIGN_WRITES = 20;
function writerStatePathOf(file) {
  return `${file}.writer-state.json`;
}
async function readWriterState(file) {
  try {
    return JSON.parse(await readFile(writerStatePathOf(file), "utf8"));
  } catch (error) {
    if (error.code === "ENOENT")
      return null;
    throw error;
  }
}
var sameFingerprint = (a, b) => b !== null && a.size === b.size && a.sha256 === b.sha256;
function noteForeignWrite(state, found, now, modifiedAt) {
  if (state === null || found === null)
    return state;
  if (state.accepted.some((accepted) => sameFingerprint(accepted, found)))
    return state;
  return {
    ...state,
    foreign_writes: [
      ...state.foreign_writes,
      { detected_at: now, modified_at: modifiedAt, found, expected: state.accepted[0] ?? null }
    ].slice(-KEPT_FOREIGN_WRITES)
  };
}

// ../../packages/json-tracker/dist/change-log.js
import { appendFile, readFile as readFile2, rm, stat, truncate } from "node:fs/promises";
var MAX_LOG_BYTES = 8 << 20;
function changeLogPathOf(file) {
  return `${file}.change-log.jsonl`;
}
var ChangeRecorder = class {
  #invocations;
  #skills;
  constructor(document) {
    for (const record of document.invocations)
      Object.freeze(record);
    this.#invocations = document.invocations.slice();
    this.#skills = new Map([...document.skills].map(([name, skill]) => [name, skillText(skill)]));
  }
  /** The entry for this rewrite; null when records were removed, which no entry describes. */
  changesIn(document) {
    const { invocations } = document;
    if (invocations.length < this.#invocations.length)
      return null;
    const changed = [];
    for (let seq = 0; seq < invocations.length; seq += 1) {
      if (invocations[seq] !== this.#invocations[seq])
        changed.push(seq);
    }
    const ids = idsAt(invocations, changed);
    const skills = [];
    let position = 0;
    for (const [name, aggregate] of document.skills) {
      if (this.#skills.get(name) !== skillText(aggregate))
        skills.push({ name, position, aggregate });
      position += 1;
    }
    return {
      length: invocations.length,
      invocations: changed.map((seq, index) => ({
        seq,
        id: ids[index],
        record: invocations[seq]
      })),
      skills
    };
  }
};
var skillText = (aggregate) => JSON.stringify(loggedAggregate(aggregate));
function loggedAggregate(aggregate) {
  return {
    ...aggregate,
    workflow_paths: [...aggregate.workflow_paths],
    common_errors: [...aggregate.common_errors],
    follow_up_actions: [...aggregate.follow_up_actions]
  };
}
function idsAt(invocations, seqs) {
  if (seqs.length === 0)
    return [];
  const identity = (record) => JSON.stringify([record.skill_name, record.invoked_at, record.workflow_path]);
  const times = new Set(seqs.map((seq) => invocations[seq].invoked_at));
  const seen = /* @__PURE__ */ new Map();
  const ids = [];
  let next2 = 0;
  for (let seq = 0; next2 < seqs.length; seq += 1) {
    const record = invocations[seq];
    if (!times.has(record.invoked_at))
      continue;
    const key = identity(record);
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    if (seq === seqs[next2]) {
      ids.push(invocationId(record.skill_name, record.invoked_at, record.workflow_path, occurrence));
      next2 += 1;
    }
  }
  return ids;
}
async function appendChange(file, change) {
  const path = changeLogPathOf(file);
  const line = `${JSON.stringify({ ...change, skills: change.skills.map(loggedSkill) })}
`;
  const mode = await modeForFilesBeside(file);
  const size = await stat(path).then((found) => found.size, () => null);
  if (size === null) {
    try {
      await appendDurably(path, line, { mode });
    } catch (error) {
      await rm(path, { force: true }).catch(() => {
      });
      throw error;
    }
    return () => rm(path, { force: true });
  }
  if (size + line.length <= MAX_LOG_BYTES) {
    await appendDurably(path, line, { mode });
    return () => truncate(path, size);
  }
  const previous = await readFile2(path, "utf8");
  const lines = previous.split("\n").filter((kept) => kept !== "");
  const newest = lines.slice(Math.floor(lines.length / 2));
  await writeFileDurably(path, `${[...newest, line.trimEnd()].join("\n")}
`, { mode });
  return async () => {
    await writeFileDurably(path, previous, { mode });
  };
}
async function notePlacedBytes(file, written) {
  const version = await placedVersionOf(file);
  if (version === null)
    return;
  await appendFile(changeLogPathOf(file), `${JSON.stringify({ version, bytes: written })}
`, {
    mode: await modeForFilesBeside(file)
  });
}
async function legacyFileFingerprint(file) {
  return fingerprintOfPlaced(file, (await readLog(file)).placed);
}
async function fingerprintOfPlaced(file, placed) {
  const version = await placedVersionOf(file);
  const noted = placed.findLast((note) => note.version === version);
  return noted?.bytes ?? fingerprintFile(file);
}
var placedVersionOf = async (file) => {
  const info = await stat(file, { bigint: true }).catch(() => void 0);
  return info === void 0 ? null : `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
};
var loggedSkill = (skill) => ({
  ...skill,
  aggregate: loggedAggregate(skill.aggregate)
});
async function readLog(file) {
  const log = { changes: [], placed: [] };
  let text;
  try {
    text = await readFile2(changeLogPathOf(file), "utf8");
  } catch (error) {
    if (error.code === "ENOENT")
      return log;
    throw error;
  }
  for (const line of text.split("\n")) {
    let logged;
    try {
      logged = JSON.parse(line);
    } catch {
      continue;
    }
    if ("version" in logged)
      log.placed.push(logged);
    else
      log.changes.push({ ...logged, skills: logged.skills.map(changedSkill) });
  }
  return log;
}
var changedSkill = ({ name, position, aggregate }) => ({
  name,
  position,
  aggregate: {
    ...aggregate,
    workflow_paths: new Map(aggregate.workflow_paths),
    common_errors: new Map(aggregate.common_errors),
    follow_up_actions: new Map(aggregate.follow_up_actions)
  }
});

// ../../packages/json-tracker/dist/legacy-writer.js
import { rm as rm2 } from "node:fs/promises";
var BATCH_CHARS = 1 << 20;
function* batchedBuffers(pieces) {
  let batch = [];
  let size = 0;
  for (const piece of pieces) {
    batch.push(piece);
    size += piece.length;
    if (size >= BATCH_CHARS) {
      yield Buffer.from(batch.join(""));
      batch = [];
      size = 0;
    }
  }
  if (batch.length > 0)
    yield Buffer.from(batch.join(""));
}
function encodeLegacyFile(content) {
  return Buffer.concat([...batchedBuffers(legacyFilePieces(content))]);
}
async function writePiecesToFile(path, pieces, options = {}) {
  return (await writeFileDurably(path, pieces, options)).size;
}
async function replaceLegacyFile(file, bytes, previous, state, now, beforeCommit, logChange) {
  const written = fingerprintOf(bytes);
  const accepted = previous === null ? [written] : [written, previous];
  const statePath = writerStatePathOf(file);
  const mode = await modeForFilesBeside(file);
  await writeFileDurably(statePath, JSON.stringify({ accepted, written_at: now, foreign_writes: state?.foreign_writes ?? [] }), { mode });
  let unlogChange;
  try {
    unlogChange = await logChange?.(written);
    await writeFileDurably(file, bytes, { beforeCommit, fingerprint: written });
  } catch (error) {
    await unlogChange?.().catch(() => {
    });
    await (state === null ? rm2(statePath, { force: true }) : writeFileDurably(statePath, JSON.stringify(state), { mode })).catch(() => {
    });
    throw error;
  }
  return written;
}

// ../../packages/json-tracker/dist/legacy-reader.js
import { createHash, randomBytes } from "node:crypto";
import { copyFile, open, readdir, rm as rm3, stat as stat2 } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

// ../../packages/json-tracker/dist/layout-scanner.js
import { isUtf8 } from "node:buffer";

// ../../node_modules/.pnpm/stream-chain@4.4.1/node_modules/stream-chain/src/defs.js
var none = Symbol.for("object-stream.none");
var stop = Symbol.for("object-stream.stop");
var finalSymbol = Symbol.for("object-stream.final");
var manySymbol = Symbol.for("object-stream.many");
var flushSymbol = Symbol.for("object-stream.flush");
var abortSymbol = Symbol.for("object-stream.abort");
var fListSymbol = Symbol.for("object-stream.fList");
var stopErrorSymbol = Symbol.for("object-stream.stopError");
var finalValue = (value) => ({ [finalSymbol]: 1, value });
var many = (values) => ({ [manySymbol]: 1, values });
var isFinalValue = (o) => o && o[finalSymbol] === 1;
var isMany = (o) => o && o[manySymbol] === 1;
var isFlushable = (o) => o && o[flushSymbol] === 1;
var isFunctionList = (o) => o && o[fListSymbol] === 1;
var isStop = (o) => o && o[stopErrorSymbol] === 1;
var getFinalValue = (o) => o.value;
var getManyValues = (o) => o.values;
var getFunctionList = (o) => o.fList;
var flushable = (write, final2 = null, abort = null) => {
  const fn = final2 ? (value) => value === none ? final2() : write(value) : write;
  fn[flushSymbol] = 1;
  if (abort) fn[abortSymbol] = abort;
  return fn;
};
var setFunctionList = (o, fns) => {
  o.fList = fns;
  o[fListSymbol] = 1;
  return o;
};
var clearFunctionList = (o) => {
  delete o.fList;
  delete o[fListSymbol];
  return o;
};
var Stop = class extends Error {
};
Stop.prototype[stopErrorSymbol] = 1;
var toMany = (value) => value === none ? many([]) : value && value[manySymbol] === 1 ? value : many([value]);
var normalizeMany = (o) => {
  if (o?.[manySymbol] === 1) {
    switch (o.values.length) {
      case 0:
        return none;
      case 1:
        return o.values[0];
    }
  }
  return o;
};
var combineMany = (...args) => {
  const values = [];
  for (let i = 0; i < args.length; ++i) {
    const a = args[i];
    if (a === none) continue;
    if (a?.[manySymbol] === 1) {
      values.push(...a.values);
    } else {
      values.push(a);
    }
  }
  return many(values);
};
var combineManyMut = (a, ...args) => {
  const values = a === none ? [] : a?.[manySymbol] === 1 ? a.values : [a];
  for (let i = 0; i < args.length; ++i) {
    const b = args[i];
    if (b === none) continue;
    if (b?.[manySymbol] === 1) {
      values.push(...b.values);
    } else {
      values.push(b);
    }
  }
  return many(values);
};
var final = finalValue;

// ../../node_modules/.pnpm/stream-chain@4.4.1/node_modules/stream-chain/src/exec.js
var cancelSymbol = Symbol.for("object-stream.cancel");
var dropNullSymbol = Symbol.for("object-stream.dropNull");
var pipeRunSymbol = Symbol.for("object-stream.pipeRun");
var stopAtSymbol = Symbol.for("object-stream.stopAt");
var GEN_CANCEL = Symbol.for("object-stream.genCancel");
var markStop = (error, index) => {
  if (isStop(error)) error[stopAtSymbol] = index;
  throw error;
};
var stopIndex = (stop2, fns) => stop2[stopAtSymbol] ?? fns.length;
var withCleanupError = (err, cleanupErr) => {
  if (err == null || isStop(err)) return cleanupErr;
  return err instanceof Error ? new AggregateError([err, cleanupErr], "pipeline error; generator cleanup also failed") : err;
};
var hasAborters = (fns) => fns.some((fn) => fn[abortSymbol]);
var noteFinal = (value, fn, finished) => {
  if (value && typeof value.then == "function") return value.then((v) => (finished.add(fn), v));
  finished.add(fn);
  return value;
};
var abortStages = async (fns, finished, to = fns.length) => {
  let failure;
  for (let i = 0; i < to; ++i) {
    const fn = fns[i], abort = fn[abortSymbol];
    if (!abort || finished.has(fn)) continue;
    finished.add(fn);
    try {
      await abort();
    } catch (error) {
      failure = failure === void 0 ? error : new AggregateError([failure, error], "stage cleanup failed more than once");
    }
  }
  return failure;
};
var next = (value, fns, index, push) => {
  for (let i = index; ; ) {
    if (value && typeof value.then == "function") {
      const ii = i;
      return value.then(
        (v) => next(v, fns, ii, push),
        (e) => markStop(e, ii)
      );
    }
    if (value === none || value == null && push[dropNullSymbol]) return void 0;
    if (value === stop) markStop(new Stop(), i);
    if (isFinalValue(value)) {
      const final2 = getFinalValue(value);
      if (final2 == null && push[dropNullSymbol]) return void 0;
      return push(final2);
    }
    if (isMany(value)) {
      return nextMany(getManyValues(value), fns, i, push);
    }
    if (value && typeof value.next == "function") {
      return nextGen(value, fns, i, push);
    }
    if (i >= fns.length) {
      return push(value);
    }
    try {
      value = fns[i++](value);
    } catch (error) {
      markStop(error, i);
    }
  }
};
var nextMany = (values, fns, i, push) => {
  const step = (j) => {
    for (; j < values.length; ++j) {
      const r = next(values[j], fns, i, push);
      if (r && typeof r.then == "function") {
        const jj = j;
        return r.then(() => step(jj + 1));
      }
    }
  };
  return step(0);
};
var nextGen = (it, fns, i, push) => {
  const step = () => {
    for (; ; ) {
      if (push[cancelSymbol]) throw push[cancelSymbol];
      let data;
      try {
        data = it.next();
      } catch (error) {
        markStop(error, i);
      }
      if (data && typeof data.then == "function") {
        return data.then(
          (d) => {
            if (d.done) return;
            const r3 = next(d.value, fns, i, push);
            return r3 && typeof r3.then == "function" ? r3.then(step) : step();
          },
          (e) => markStop(e, i)
        );
      }
      if (data.done) return;
      const r2 = next(data.value, fns, i, push);
      if (r2 && typeof r2.then == "function") return r2.then(step);
    }
  };
  const abort = (err) => {
    const onCleanupError = (cleanupErr) => withCleanupError(err, cleanupErr);
    let ret;
    try {
      ret = it.return ? it.return() : void 0;
    } catch (cleanupErr) {
      throw onCleanupError(cleanupErr);
    }
    if (ret && typeof ret.then == "function") {
      return ret.then(
        () => {
          throw err;
        },
        (cleanupErr) => {
          throw onCleanupError(cleanupErr);
        }
      );
    }
    throw err;
  };
  let r;
  try {
    r = step();
  } catch (err) {
    return abort(err);
  }
  return r && typeof r.then == "function" ? r.then(void 0, abort) : r;
};
var flush = (fns, index, push, finished) => {
  let stop2 = null;
  const resume = (error) => {
    if (!isStop(error)) throw error;
    stop2 = error;
    return step(stopIndex(error, fns));
  };
  const step = (i) => {
    for (; i < fns.length; ++i) {
      const f = fns[i];
      if (!isFlushable(f) || finished?.has(f)) continue;
      let r;
      try {
        let value;
        try {
          value = f(none);
        } catch (error) {
          markStop(error, i + 1);
        }
        if (finished) value = noteFinal(value, f, finished);
        r = next(value, fns, i + 1, push);
      } catch (error) {
        return resume(error);
      }
      if (r && typeof r.then == "function") {
        const ii = i;
        return r.then(() => step(ii + 1), resume);
      }
    }
    if (stop2) throw stop2;
  };
  return step(index);
};
var releaseStopped = async (fns, finished, stop2) => {
  const failure = await abortStages(fns, finished, stopIndex(stop2, fns));
  if (failure === void 0) return void 0;
  const more = await abortStages(fns, finished);
  return more === void 0 ? failure : new AggregateError([failure, more], "stage cleanup failed more than once");
};
var finishStop = async (fns, stop2, push, finished) => {
  let error;
  try {
    await flush(fns, stopIndex(stop2, fns), push, finished);
  } catch (e) {
    if (isStop(e)) stop2 = e;
    else error = e;
  }
  const failure = error === void 0 ? await releaseStopped(fns, finished, stop2) : await abortStages(fns, finished);
  if (failure !== void 0) error = withCleanupError(error, failure);
  if (error !== void 0) throw error;
};
var genBridge = (fns, once) => {
  fns = fns.filter((fn) => fn).flat(Infinity).map((fn) => isFunctionList(fn) ? getFunctionList(fn) : fn).flat(Infinity);
  if (!fns.length) {
    fns = [(x) => x];
  }
  const canAbort = hasAborters(fns), finished = /* @__PURE__ */ new Set();
  let flushed = false, stopAt = 0;
  const drive = async (value, push) => {
    try {
      await next(value, fns, 0, push);
    } catch (error) {
      if (!isStop(error)) throw error;
      await finishStop(fns, error, push, finished);
      throw error;
    }
    await flush(fns, 0, push, finished);
  };
  let g = async function* (value) {
    if (flushed) throw Error("Call to a flushed pipe.");
    const isFlush = !once && value === none;
    if (isFlush || once) flushed = true;
    const pending = [];
    let wakeConsumer = null;
    let resolveProducer = null;
    let rejectProducer = null;
    let done = false, error = null, cancelled = false, completed = false;
    const push = (v) => {
      if (cancelled) throw GEN_CANCEL;
      pending.push(v);
      if (wakeConsumer) {
        const w = wakeConsumer;
        wakeConsumer = null;
        w();
      }
      return new Promise((res, rej) => {
        resolveProducer = res;
        rejectProducer = rej;
      });
    };
    Promise.resolve().then(
      () => once ? drive(value, push) : isFlush ? flush(fns, stopAt, push, finished) : next(value, fns, 0, push)
    ).then(
      () => {
      },
      (e) => {
        if (e === GEN_CANCEL) return;
        error = e;
        if (!isFlush && isStop(e)) stopAt = stopIndex(e, fns);
      }
    ).finally(() => {
      done = true;
      if (wakeConsumer) {
        const w = wakeConsumer;
        wakeConsumer = null;
        w();
      }
    });
    try {
      for (; ; ) {
        while (pending.length) {
          const v = pending.shift();
          if (resolveProducer) {
            const r = resolveProducer;
            resolveProducer = rejectProducer = null;
            r();
          }
          yield v;
        }
        if (error) throw error;
        if (done) {
          completed = true;
          return;
        }
        await new Promise((res) => wakeConsumer = res);
      }
    } finally {
      cancelled = true;
      push[cancelSymbol] = GEN_CANCEL;
      if (rejectProducer) {
        const rj = rejectProducer;
        resolveProducer = rejectProducer = null;
        rj(GEN_CANCEL);
      }
      if (!completed && canAbort) {
        const failure = isStop(error) ? await releaseStopped(fns, finished, error) : await abortStages(fns, finished);
        if (failure !== void 0) throw withCleanupError(error, failure);
      }
    }
  };
  if (once) return g;
  const needToFlush = fns.some((fn) => isFlushable(fn));
  if (needToFlush) g = flushable(g);
  return setFunctionList(g, fns);
};

// ../../node_modules/.pnpm/stream-chain@4.4.1/node_modules/stream-chain/src/gen.js
var gen = (...fns) => genBridge(fns, false);
var gen_default = gen;

// ../../node_modules/.pnpm/stream-chain@4.4.1/node_modules/stream-chain/src/fun.js
var asArray = (...fns) => {
  fns = fns.filter((fn) => fn).flat(Infinity).map((fn) => isFunctionList(fn) ? getFunctionList(fn) : fn).flat(Infinity);
  if (!fns.length) {
    fns = [(x) => x];
  }
  let flushed = false, stopAt = 0;
  const noteStop = (error) => {
    if (isStop(error)) stopAt = stopIndex(error, fns);
    throw error;
  };
  let g = (value) => {
    if (flushed) throw Error("Call to a flushed pipe.");
    const results = [], push = (v) => {
      results.push(v);
    };
    let pending;
    if (value !== none) {
      try {
        pending = next(value, fns, 0, push);
      } catch (error) {
        noteStop(error);
      }
    } else {
      flushed = true;
      pending = flush(fns, stopAt, push);
    }
    return pending && typeof pending.then == "function" ? pending.then(() => results, noteStop) : results;
  };
  const needToFlush = fns.some((fn) => isFlushable(fn));
  if (needToFlush) g = flushable(g);
  return setFunctionList(g, fns);
};
var fun = (...fns) => {
  const f = asArray(...fns);
  let g = (value) => {
    const result = (
      /** @type {any} */
      f(value)
    );
    if (result && typeof result.then == "function") {
      return result.then((results) => many(results));
    }
    return many(result);
  };
  if (isFlushable(f)) g = flushable(g);
  return setFunctionList(g, getFunctionList(f));
};
var fun_default = fun;

// ../../node_modules/.pnpm/stream-chain@4.4.1/node_modules/stream-chain/src/dataSource.js
var dataSource = (fn) => {
  if (typeof fn == "function") return fn;
  if (fn) {
    if (typeof fn[Symbol.asyncIterator] == "function") return fn[Symbol.asyncIterator].bind(fn);
    if (typeof fn[Symbol.iterator] == "function") return fn[Symbol.iterator].bind(fn);
  }
  throw new TypeError("The argument should be a function or an iterable object.");
};
var dataSource_default = dataSource;

// ../../node_modules/.pnpm/stream-chain@4.4.1/node_modules/stream-chain/src/core/index.js
var chain = (fns, _options) => {
  const flat = (Array.isArray(fns) ? fns : []).flat(Infinity).filter(Boolean).map((fn) => isFunctionList(fn) ? getFunctionList(fn) : fn).flat(Infinity);
  const g = gen_default(...flat);
  const c = async function* (input) {
    if (input == null) return;
    if (typeof input === "string" || input[Symbol.asyncIterator] === void 0 && input[Symbol.iterator] === void 0) {
      yield* g(input);
      return;
    }
    for await (const value of input) yield* g(value);
  };
  c.streams = null;
  c.input = null;
  c.output = null;
  return c;
};
chain.none = none;
chain.stop = stop;
chain.Stop = Stop;
chain.stopErrorSymbol = stopErrorSymbol;
chain.isStop = isStop;
chain.finalSymbol = finalSymbol;
chain.finalValue = finalValue;
chain.final = final;
chain.isFinalValue = isFinalValue;
chain.getFinalValue = getFinalValue;
chain.manySymbol = manySymbol;
chain.many = many;
chain.isMany = isMany;
chain.getManyValues = getManyValues;
chain.flushSymbol = flushSymbol;
chain.flushable = flushable;
chain.isFlushable = isFlushable;
chain.abortSymbol = abortSymbol;
chain.fListSymbol = fListSymbol;
chain.isFunctionList = isFunctionList;
chain.getFunctionList = getFunctionList;
chain.setFunctionList = setFunctionList;
chain.clearFunctionList = clearFunctionList;
chain.toMany = toMany;
chain.normalizeMany = normalizeMany;
chain.combineMany = combineMany;
chain.combineManyMut = combineManyMut;
chain.chain = chain;
chain.chainUnchecked = chain;
chain.gen = gen_default;
chain.fun = fun_default;
chain.dataSource = dataSource_default;

// ../../node_modules/.pnpm/stream-chain@4.4.1/node_modules/stream-chain/src/utils/fixUtf8Stream.js
var dropBOM = (s) => s.charCodeAt(0) === 65279 ? s.slice(1) : s;
var makeTextDecoderImpl = (options) => {
  const textDecoder = new TextDecoder("utf-8", { ignoreBOM: true });
  let atStart = !options?.ignoreBOM;
  return flushable((chunk) => {
    let s;
    if (chunk === none) s = textDecoder.decode();
    else if (typeof chunk == "string") s = chunk;
    else if (chunk instanceof Uint8Array) s = textDecoder.decode(chunk, { stream: true });
    else throw new TypeError("Expected a string or a Uint8Array");
    if (!atStart || !s) return s;
    atStart = false;
    return dropBOM(s);
  });
};
var makeStringDecoderImpl = (StringDecoder) => (options) => {
  const stringDecoder = new StringDecoder();
  let atStart = !options?.ignoreBOM;
  return flushable((chunk) => {
    let s;
    if (chunk === none) s = stringDecoder.end();
    else if (typeof chunk == "string") s = chunk;
    else if (chunk instanceof Uint8Array) s = stringDecoder.write(chunk);
    else throw new TypeError("Expected a string or a Uint8Array");
    if (!atStart || !s) return s;
    atStart = false;
    return dropBOM(s);
  });
};
var impl = makeTextDecoderImpl;
var isDeno = typeof globalThis["Deno"] == "object" && globalThis["Deno"]?.version;
var isBun = typeof globalThis["Bun"] == "object" && globalThis["Bun"]?.version;
var isNode = !isDeno && !isBun && typeof process == "object" && process?.versions?.node;
var readyPromise = isNode ? import("node:string_decoder").then(
  ({ StringDecoder }) => {
    impl = makeStringDecoderImpl(StringDecoder);
  },
  () => {
  }
  // squelch — stick with TextDecoder
) : Promise.resolve();
var fixUtf8Stream = (options) => impl(options);
var fixUtf8Stream_default = fixUtf8Stream;

// ../../node_modules/.pnpm/stream-json@3.8.0/node_modules/stream-json/src/core/parser.js
var patterns = {
  value1: /[\"\{\[\]\-\d]|true\b|false\b|null\b|\s{1,256}/y,
  string: /[^\x00-\x1f\"\\]{1,256}|\\[bfnrt\"\\\/]|\\u[\da-fA-F]{4}|\"/y,
  numberStart: /\d/y,
  numberDigit: /\d{0,256}/y,
  numberFraction: /[\.eE]/y,
  numberExponent: /[eE]/y,
  numberExpSign: /[-+]/y
};
var MAX_PATTERN_SIZE = 16;
patterns.numberFracStart = patterns.numberExpStart = patterns.numberStart;
patterns.numberFracDigit = patterns.numberExpDigit = patterns.numberDigit;
var expected = { object: "objectStop", array: "arrayStop", "": "done" };
var tokenStartObject = { name: "startObject" };
var tokenEndObject = { name: "endObject" };
var tokenStartArray = { name: "startArray" };
var tokenEndArray = { name: "endArray" };
var tokenStartString = { name: "startString" };
var tokenEndString = { name: "endString" };
var tokenStartNumber = { name: "startNumber" };
var tokenEndNumber = { name: "endNumber" };
var tokenStartKey = { name: "startKey" };
var tokenEndKey = { name: "endKey" };
var literalTokens = {
  true: { name: "trueValue", value: true },
  false: { name: "falseValue", value: false },
  null: { name: "nullValue", value: null }
};
var fromHex = (s) => String.fromCharCode(parseInt(s.slice(2), 16));
var codes = { b: "\b", f: "\f", n: "\n", r: "\r", t: "	", '"': '"', "\\": "\\", "/": "/" };
var ASCII_TAB = "	".charCodeAt(0);
var ASCII_LF = "\n".charCodeAt(0);
var ASCII_CR = "\r".charCodeAt(0);
var ASCII_SPACE = " ".charCodeAt(0);
var ASCII_QUOTE = '"'.charCodeAt(0);
var ASCII_BACKSLASH = "\\".charCodeAt(0);
var ASCII_OPEN_BRACE = "{".charCodeAt(0);
var ASCII_CLOSE_BRACE = "}".charCodeAt(0);
var ASCII_OPEN_BRACKET = "[".charCodeAt(0);
var ASCII_CLOSE_BRACKET = "]".charCodeAt(0);
var ASCII_MINUS = "-".charCodeAt(0);
var ASCII_COLON = ":".charCodeAt(0);
var ASCII_COMMA = ",".charCodeAt(0);
var ASCII_ZERO = "0".charCodeAt(0);
var ASCII_NINE = "9".charCodeAt(0);
var ASCII_UPPER_A = "A".charCodeAt(0);
var ASCII_UPPER_F = "F".charCodeAt(0);
var ASCII_LOWER_A = "a".charCodeAt(0);
var ASCII_LOWER_F = "f".charCodeAt(0);
var ASCII_LOWER_N = "n".charCodeAt(0);
var ASCII_LOWER_T = "t".charCodeAt(0);
var ASCII_LOWER_U = "u".charCodeAt(0);
var HIGH_SURROGATE_FIRST = 55296;
var HIGH_SURROGATE_LAST = 56319;
var TERM = [];
for (const ch of ",}] 	\n\r") TERM[ch.charCodeAt(0)] = 1;
var numberFull = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
var HEX = (c) => c >= ASCII_ZERO && c <= ASCII_NINE || c >= ASCII_UPPER_A && c <= ASCII_UPPER_F || c >= ASCII_LOWER_A && c <= ASCII_LOWER_F;
var jsonParser = (options) => {
  let packKeys = true, packStrings = true, packNumbers = true, streamKeys = true, streamStrings = true, streamNumbers = true, jsonStreaming = false;
  if (options) {
    "packValues" in options && (packKeys = packStrings = packNumbers = options.packValues);
    "packKeys" in options && (packKeys = options.packKeys);
    "packStrings" in options && (packStrings = options.packStrings);
    "packNumbers" in options && (packNumbers = options.packNumbers);
    "streamValues" in options && (streamKeys = streamStrings = streamNumbers = options.streamValues);
    "streamKeys" in options && (streamKeys = options.streamKeys);
    "streamStrings" in options && (streamStrings = options.streamStrings);
    "streamNumbers" in options && (streamNumbers = options.streamNumbers);
    jsonStreaming = options.jsonStreaming;
  }
  !packKeys && (streamKeys = true);
  !packStrings && (streamStrings = true);
  !packNumbers && (streamNumbers = true);
  let done = false, expect = jsonStreaming ? "done" : "value", parent = "", openNumber = false, accumulator = "", heldSurrogate = "", buffer = "";
  const stack = [];
  const pushStringChunk = (tokens, value) => {
    if (heldSurrogate) {
      value = heldSurrogate + value;
      heldSurrogate = "";
    }
    const last = value.charCodeAt(value.length - 1);
    if (last >= HIGH_SURROGATE_FIRST && last <= HIGH_SURROGATE_LAST) {
      heldSurrogate = value.charAt(value.length - 1);
      if (value.length === 1) return;
      value = value.slice(0, -1);
    }
    tokens.push({ name: "stringChunk", value });
  };
  return flushable((buf) => {
    const tokens = [];
    if (buf === none) {
      done = true;
    } else {
      buffer += buf;
    }
    let match, fm, s, e, q, rs, cc, value, index = 0;
    main: for (; ; ) {
      switch (expect) {
        case "value1":
        case "value": {
          while (index < buffer.length) {
            cc = buffer.charCodeAt(index);
            if (cc === ASCII_SPACE || cc === ASCII_TAB || cc === ASCII_LF || cc === ASCII_CR) {
              ++index;
              continue;
            }
            break;
          }
          if (index >= buffer.length) {
            if (done) throw new Error("Parser has expected a value");
            break main;
          }
          cc = buffer.charCodeAt(index);
          if (cc === ASCII_QUOTE) {
            q = index + 1;
            rs = q;
            s = "";
            for (; ; ) {
              if (q >= buffer.length) {
                q = -1;
                break;
              }
              e = buffer.charCodeAt(q);
              if (e === ASCII_QUOTE) {
                s += buffer.slice(rs, q);
                break;
              }
              if (e < ASCII_SPACE) {
                q = -1;
                break;
              }
              if (e === ASCII_BACKSLASH) {
                if (q + 1 >= buffer.length) {
                  q = -1;
                  break;
                }
                cc = buffer.charCodeAt(q + 1);
                if (cc === ASCII_LOWER_U) {
                  if (q + 6 > buffer.length || !(HEX(buffer.charCodeAt(q + 2)) && HEX(buffer.charCodeAt(q + 3)) && HEX(buffer.charCodeAt(q + 4)) && HEX(buffer.charCodeAt(q + 5)))) {
                    q = -1;
                    break;
                  }
                  s += buffer.slice(rs, q) + String.fromCharCode(parseInt(buffer.slice(q + 2, q + 6), 16));
                  q += 6;
                } else {
                  value = codes[buffer.charAt(q + 1)];
                  if (value === void 0) {
                    q = -1;
                    break;
                  }
                  s += buffer.slice(rs, q) + value;
                  q += 2;
                }
                rs = q;
                continue;
              }
              ++q;
            }
            if (q >= 0) {
              if (streamStrings) {
                tokens.push(tokenStartString);
                if (s) tokens.push({ name: "stringChunk", value: s });
                tokens.push(tokenEndString);
              }
              if (packStrings) tokens.push({ name: "stringValue", value: s });
              index = q + 1;
              expect = expected[parent];
              continue main;
            }
            if (streamStrings) tokens.push(tokenStartString);
            expect = "string";
            ++index;
            continue main;
          }
          if (cc === ASCII_OPEN_BRACE) {
            tokens.push(tokenStartObject);
            stack.push(parent);
            parent = "object";
            expect = "key1";
            ++index;
            continue main;
          }
          if (cc === ASCII_OPEN_BRACKET) {
            tokens.push(tokenStartArray);
            stack.push(parent);
            parent = "array";
            expect = "value1";
            ++index;
            continue main;
          }
          if (cc === ASCII_CLOSE_BRACKET) {
            if (expect !== "value1") throw new Error("Parser cannot parse input: unexpected token ']'");
            tokens.push(tokenEndArray);
            parent = stack.pop();
            expect = expected[parent];
            ++index;
            continue main;
          }
          if (cc === ASCII_MINUS || cc >= ASCII_ZERO && cc <= ASCII_NINE) {
            numberFull.lastIndex = index;
            fm = numberFull.exec(buffer);
            if (fm) {
              e = index + fm[0].length;
              if (e < buffer.length && TERM[buffer.charCodeAt(e)]) {
                s = fm[0];
                if (streamNumbers) tokens.push(tokenStartNumber, { name: "numberChunk", value: s }, tokenEndNumber);
                if (packNumbers) tokens.push({ name: "numberValue", value: s });
                index = e;
                expect = expected[parent];
                continue main;
              }
            }
            openNumber = true;
            if (cc === ASCII_MINUS) {
              if (streamNumbers) tokens.push(tokenStartNumber, { name: "numberChunk", value: "-" });
              packNumbers && (accumulator = "-");
              expect = "numberStart";
            } else if (cc === ASCII_ZERO) {
              if (streamNumbers) tokens.push(tokenStartNumber, { name: "numberChunk", value: "0" });
              packNumbers && (accumulator = "0");
              expect = "numberFraction";
            } else {
              s = buffer.charAt(index);
              if (streamNumbers) tokens.push(tokenStartNumber, { name: "numberChunk", value: s });
              packNumbers && (accumulator = s);
              expect = "numberDigit";
            }
            ++index;
            continue main;
          }
          if (cc === ASCII_LOWER_T || cc === ASCII_LOWER_F || cc === ASCII_LOWER_N) {
            patterns.value1.lastIndex = index;
            match = patterns.value1.exec(buffer);
            if (!match) {
              if (done || index + MAX_PATTERN_SIZE < buffer.length) {
                throw new Error("Parser cannot parse input: expected a value");
              }
              break main;
            }
            value = match[0];
            if (buffer.length - index === value.length && !done) break main;
            tokens.push(literalTokens[value]);
            expect = expected[parent];
            index += value.length;
            continue main;
          }
          throw new Error("Parser cannot parse input: expected a value");
        }
        // incremental string body (escapes / long / cross-chunk)
        case "keyVal":
        case "string":
          patterns.string.lastIndex = index;
          match = patterns.string.exec(buffer);
          if (!match) {
            if (index < buffer.length && (done || buffer.length - index >= 6)) throw new Error("Parser cannot parse input: escaped characters");
            if (done) throw new Error("Parser has expected a string value");
            break main;
          }
          value = match[0];
          if (value === '"') {
            if (heldSurrogate) {
              tokens.push({ name: "stringChunk", value: heldSurrogate });
              heldSurrogate = "";
            }
            if (expect === "keyVal") {
              if (streamKeys) tokens.push(tokenEndKey);
              if (packKeys) {
                tokens.push({ name: "keyValue", value: accumulator });
                accumulator = "";
              }
              expect = "colon";
            } else {
              if (streamStrings) tokens.push(tokenEndString);
              if (packStrings) {
                tokens.push({ name: "stringValue", value: accumulator });
                accumulator = "";
              }
              expect = expected[parent];
            }
          } else if (value.length > 1 && value.charAt(0) === "\\") {
            const t = value.length == 2 ? codes[value.charAt(1)] : fromHex(value);
            if (expect === "keyVal" ? streamKeys : streamStrings) {
              pushStringChunk(tokens, t);
            }
            if (expect === "keyVal" ? packKeys : packStrings) {
              accumulator += t;
            }
          } else {
            if (expect === "keyVal" ? streamKeys : streamStrings) {
              pushStringChunk(tokens, value);
            }
            if (expect === "keyVal" ? packKeys : packStrings) {
              accumulator += value;
            }
          }
          index += value.length;
          break;
        case "key1":
        case "key": {
          while (index < buffer.length) {
            cc = buffer.charCodeAt(index);
            if (cc === ASCII_SPACE || cc === ASCII_TAB || cc === ASCII_LF || cc === ASCII_CR) {
              ++index;
              continue;
            }
            break;
          }
          if (index >= buffer.length) {
            if (done) throw new Error("Parser cannot parse input: expected an object key");
            break main;
          }
          cc = buffer.charCodeAt(index);
          if (cc === ASCII_QUOTE) {
            q = index + 1;
            rs = q;
            s = "";
            for (; ; ) {
              if (q >= buffer.length) {
                q = -1;
                break;
              }
              e = buffer.charCodeAt(q);
              if (e === ASCII_QUOTE) {
                s += buffer.slice(rs, q);
                break;
              }
              if (e < ASCII_SPACE) {
                q = -1;
                break;
              }
              if (e === ASCII_BACKSLASH) {
                if (q + 1 >= buffer.length) {
                  q = -1;
                  break;
                }
                cc = buffer.charCodeAt(q + 1);
                if (cc === ASCII_LOWER_U) {
                  if (q + 6 > buffer.length || !(HEX(buffer.charCodeAt(q + 2)) && HEX(buffer.charCodeAt(q + 3)) && HEX(buffer.charCodeAt(q + 4)) && HEX(buffer.charCodeAt(q + 5)))) {
                    q = -1;
                    break;
                  }
                  s += buffer.slice(rs, q) + String.fromCharCode(parseInt(buffer.slice(q + 2, q + 6), 16));
                  q += 6;
                } else {
                  value = codes[buffer.charAt(q + 1)];
                  if (value === void 0) {
                    q = -1;
                    break;
                  }
                  s += buffer.slice(rs, q) + value;
                  q += 2;
                }
                rs = q;
                continue;
              }
              ++q;
            }
            if (q >= 0) {
              if (streamKeys) {
                tokens.push(tokenStartKey);
                if (s) tokens.push({ name: "stringChunk", value: s });
                tokens.push(tokenEndKey);
              }
              if (packKeys) tokens.push({ name: "keyValue", value: s });
              index = q + 1;
              expect = "colon";
              continue main;
            }
            if (streamKeys) tokens.push(tokenStartKey);
            expect = "keyVal";
            ++index;
            continue main;
          }
          if (cc === ASCII_CLOSE_BRACE) {
            if (expect !== "key1") throw new Error("Parser cannot parse input: unexpected token '}'");
            tokens.push(tokenEndObject);
            parent = stack.pop();
            expect = expected[parent];
            ++index;
            continue main;
          }
          throw new Error("Parser cannot parse input: expected an object key");
        }
        case "colon": {
          while (index < buffer.length) {
            cc = buffer.charCodeAt(index);
            if (cc === ASCII_SPACE || cc === ASCII_TAB || cc === ASCII_LF || cc === ASCII_CR) {
              ++index;
              continue;
            }
            break;
          }
          if (index >= buffer.length) {
            if (done) throw new Error("Parser cannot parse input: expected ':'");
            break main;
          }
          cc = buffer.charCodeAt(index);
          if (cc === ASCII_COLON) {
            expect = "value";
            ++index;
            continue main;
          }
          throw new Error("Parser cannot parse input: expected ':'");
        }
        case "arrayStop":
        case "objectStop": {
          while (index < buffer.length) {
            cc = buffer.charCodeAt(index);
            if (cc === ASCII_SPACE || cc === ASCII_TAB || cc === ASCII_LF || cc === ASCII_CR) {
              ++index;
              continue;
            }
            break;
          }
          if (index >= buffer.length) {
            if (done) throw new Error("Parser cannot parse input: expected ','");
            break main;
          }
          if (openNumber) {
            if (streamNumbers) tokens.push(tokenEndNumber);
            openNumber = false;
            if (packNumbers) {
              tokens.push({ name: "numberValue", value: accumulator });
              accumulator = "";
            }
          }
          cc = buffer.charCodeAt(index);
          if (cc === ASCII_COMMA) {
            expect = expect === "arrayStop" ? "value" : "key";
            ++index;
            continue main;
          }
          if (cc === ASCII_CLOSE_BRACE || cc === ASCII_CLOSE_BRACKET) {
            if (cc === ASCII_CLOSE_BRACE ? expect === "arrayStop" : expect !== "arrayStop") {
              throw new Error("Parser cannot parse input: expected '" + (expect === "arrayStop" ? "]" : "}") + "'");
            }
            tokens.push(cc === ASCII_CLOSE_BRACE ? tokenEndObject : tokenEndArray);
            parent = stack.pop();
            expect = expected[parent];
            ++index;
            continue main;
          }
          throw new Error("Parser cannot parse input: expected ','");
        }
        // number chunks — cross-chunk / fallback
        case "numberStart":
          patterns.numberStart.lastIndex = index;
          match = patterns.numberStart.exec(buffer);
          if (!match) {
            if (index < buffer.length || done) throw new Error("Parser cannot parse input: expected a starting digit");
            break main;
          }
          value = match[0];
          if (streamNumbers) tokens.push({ name: "numberChunk", value });
          packNumbers && (accumulator += value);
          expect = value === "0" ? "numberFraction" : "numberDigit";
          index += value.length;
          break;
        case "numberDigit":
          patterns.numberDigit.lastIndex = index;
          match = patterns.numberDigit.exec(buffer);
          if (!match) {
            if (index < buffer.length || done) throw new Error("Parser cannot parse input: expected a digit");
            break main;
          }
          value = match[0];
          if (value) {
            if (streamNumbers) tokens.push({ name: "numberChunk", value });
            packNumbers && (accumulator += value);
            index += value.length;
          } else {
            if (index < buffer.length) {
              expect = "numberFraction";
              break;
            }
            if (done) {
              expect = expected[parent];
              break;
            }
            break main;
          }
          break;
        case "numberFraction":
          patterns.numberFraction.lastIndex = index;
          match = patterns.numberFraction.exec(buffer);
          if (!match) {
            if (index < buffer.length || done) {
              expect = expected[parent];
              break;
            }
            break main;
          }
          value = match[0];
          if (streamNumbers) tokens.push({ name: "numberChunk", value });
          packNumbers && (accumulator += value);
          expect = value === "." ? "numberFracStart" : "numberExpSign";
          index += value.length;
          break;
        case "numberFracStart":
          patterns.numberFracStart.lastIndex = index;
          match = patterns.numberFracStart.exec(buffer);
          if (!match) {
            if (index < buffer.length || done) throw new Error("Parser cannot parse input: expected a fractional part of a number");
            break main;
          }
          value = match[0];
          if (streamNumbers) tokens.push({ name: "numberChunk", value });
          packNumbers && (accumulator += value);
          expect = "numberFracDigit";
          index += value.length;
          break;
        case "numberFracDigit":
          patterns.numberFracDigit.lastIndex = index;
          match = patterns.numberFracDigit.exec(buffer);
          value = match[0];
          if (value) {
            if (streamNumbers) tokens.push({ name: "numberChunk", value });
            packNumbers && (accumulator += value);
            index += value.length;
          } else {
            if (index < buffer.length) {
              expect = "numberExponent";
              break;
            }
            if (done) {
              expect = expected[parent];
              break;
            }
            break main;
          }
          break;
        case "numberExponent":
          patterns.numberExponent.lastIndex = index;
          match = patterns.numberExponent.exec(buffer);
          if (!match) {
            if (index < buffer.length) {
              expect = expected[parent];
              break;
            }
            if (done) {
              expect = expected[parent];
              break;
            }
            break main;
          }
          value = match[0];
          if (streamNumbers) tokens.push({ name: "numberChunk", value });
          packNumbers && (accumulator += value);
          expect = "numberExpSign";
          index += value.length;
          break;
        case "numberExpSign":
          patterns.numberExpSign.lastIndex = index;
          match = patterns.numberExpSign.exec(buffer);
          if (!match) {
            if (index < buffer.length) {
              expect = "numberExpStart";
              break;
            }
            if (done) throw new Error("Parser has expected an exponent value of a number");
            break main;
          }
          value = match[0];
          if (streamNumbers) tokens.push({ name: "numberChunk", value });
          packNumbers && (accumulator += value);
          expect = "numberExpStart";
          index += value.length;
          break;
        case "numberExpStart":
          patterns.numberExpStart.lastIndex = index;
          match = patterns.numberExpStart.exec(buffer);
          if (!match) {
            if (index < buffer.length || done) throw new Error("Parser cannot parse input: expected an exponent part of a number");
            break main;
          }
          value = match[0];
          if (streamNumbers) tokens.push({ name: "numberChunk", value });
          packNumbers && (accumulator += value);
          expect = "numberExpDigit";
          index += value.length;
          break;
        case "numberExpDigit":
          patterns.numberExpDigit.lastIndex = index;
          match = patterns.numberExpDigit.exec(buffer);
          value = match[0];
          if (value) {
            if (streamNumbers) tokens.push({ name: "numberChunk", value });
            packNumbers && (accumulator += value);
            index += value.length;
          } else {
            if (index < buffer.length || done) {
              expect = expected[parent];
              break;
            }
            break main;
          }
          break;
        case "done": {
          while (index < buffer.length) {
            cc = buffer.charCodeAt(index);
            if (cc === ASCII_SPACE || cc === ASCII_TAB || cc === ASCII_LF || cc === ASCII_CR) {
              if (openNumber) {
                if (streamNumbers) tokens.push(tokenEndNumber);
                openNumber = false;
                if (packNumbers) {
                  tokens.push({ name: "numberValue", value: accumulator });
                  accumulator = "";
                }
              }
              ++index;
              continue;
            }
            break;
          }
          if (index >= buffer.length) break main;
          if (jsonStreaming) {
            if (openNumber) {
              if (streamNumbers) tokens.push(tokenEndNumber);
              openNumber = false;
              if (packNumbers) {
                tokens.push({ name: "numberValue", value: accumulator });
                accumulator = "";
              }
            }
            expect = "value";
            continue main;
          }
          throw new Error("Parser cannot parse input: unexpected characters");
        }
      }
    }
    if (done && openNumber) {
      if (streamNumbers) tokens.push(tokenEndNumber);
      openNumber = false;
      if (packNumbers) {
        tokens.push({ name: "numberValue", value: accumulator });
        accumulator = "";
      }
    }
    buffer = buffer.slice(index);
    return tokens.length ? many(tokens) : none;
  });
};
var parser = (options) => gen_default(fixUtf8Stream_default(options), jsonParser(options));
parser.parser = parser;

// ../../packages/json-tracker/dist/ordered-json.js
var END_OF_INPUT = Symbol.for("object-stream.none");
var numberOf = (text) => /[.eE]/.test(text) ? new PyFloat(Number(text)) : Number(text);
function parseOrderedJson(text) {
  const stack = [];
  let root;
  const place = (value) => {
    const frame = stack.at(-1);
    if (frame === void 0)
      root = value;
    else if (Array.isArray(frame.container))
      frame.container.push(value);
    else
      frame.container.set(frame.key, value);
  };
  const onToken = (token) => {
    switch (token.name) {
      case "startObject":
        stack.push({ container: /* @__PURE__ */ new Map(), key: void 0 });
        return;
      case "startArray":
        stack.push({ container: [], key: void 0 });
        return;
      case "endObject":
      case "endArray":
        return place(stack.pop().container);
      case "keyValue":
        stack.at(-1).key = token.value;
        return;
      case "stringValue":
        return place(token.value);
      case "numberValue":
        return place(numberOf(token.value));
      case "nullValue":
        return place(null);
      case "trueValue":
        return place(true);
      case "falseValue":
        return place(false);
    }
  };
  const tokenize = jsonParser({ streamValues: false });
  const consume = (tokens) => {
    if (tokens !== END_OF_INPUT)
      for (const token of tokens.values)
        onToken(token);
  };
  consume(tokenize(text));
  consume(tokenize(END_OF_INPUT));
  return root;
}

// ../../packages/json-tracker/dist/layout-scanner.js
var NotJsonError = class extends Error {
};
var QUOTE = 34;
var BACKSLASH = 92;
var COMMA = 44;
var COLON = 58;
var OPEN_OBJECT = 123;
var CLOSE_OBJECT = 125;
var OPEN_LIST = 91;
var CLOSE_LIST = 93;
var BYTE_ORDER_MARK = [239, 187, 191];
var JSON_WHITESPACE = new Uint8Array(256);
for (const byte of [32, 9, 10, 13])
  JSON_WHITESPACE[byte] = 1;
var ENDS_SCALAR = new Uint8Array(JSON_WHITESPACE);
for (const byte of [COMMA, COLON, QUOTE, OPEN_OBJECT, CLOSE_OBJECT, OPEN_LIST, CLOSE_LIST]) {
  ENDS_SCALAR[byte] = 1;
}
var BLANK = new Uint8Array(JSON_WHITESPACE);
for (const byte of [11, 12, 160])
  BLANK[byte] = 1;
function hasNonWhitespace(bytes) {
  for (let at = 0; at < bytes.length; at++)
    if (BLANK[bytes[at]] === 0)
      return true;
  return false;
}
var BEFORE_ROOT = 0;
var FIRST_KEY = 1;
var NEXT_KEY = 2;
var AFTER_KEY = 3;
var TOP_VALUE = 4;
var AFTER_TOP_VALUE = 5;
var FIRST_ELEMENT = 6;
var NEXT_ELEMENT = 7;
var AFTER_ELEMENT = 8;
var DONE = 9;
var BATCH_BYTES = 64 << 10;
var NESTED = 0;
var SCALAR = 1;
var LayoutScanner = class {
  deliver;
  work = Buffer.allocUnsafe(0);
  /** File offset of `work[0]`. */
  base = 0;
  end = 0;
  /** Next byte to look at; one past `end` after a backslash that ends the bytes read. */
  pos = 0;
  /** `work[0, checked)` is known to be UTF-8; a sequence cut by the chunk's end waits. */
  checked = 0;
  state = BEFORE_ROOT;
  /** Start of the value (or key, or element) being scanned, -1 between values. */
  valueStart = -1;
  kind = NESTED;
  depth = 0;
  inString = false;
  /** File offset up to which elements are taken one by one, after a slice that did not parse. */
  exactUntil = 0;
  key;
  top = /* @__PURE__ */ new Map();
  rootIsObject = false;
  rootValue;
  constructor(deliver) {
    this.deliver = deliver;
  }
  /** Whether the scan is inside the `invocations` list, where an error names the record. */
  get inInvocations() {
    return this.state >= FIRST_ELEMENT && this.state <= AFTER_ELEMENT;
  }
  /** Drops the bytes no longer needed, so `chunkBytes` more fit after `end`. */
  makeRoom(chunkBytes) {
    const keep = Math.min(this.valueStart === -1 ? this.pos : this.valueStart, this.checked);
    if (keep > 0) {
      this.work.copyWithin(0, keep, this.end);
      this.base += keep;
      this.end -= keep;
      this.pos -= keep;
      this.checked -= keep;
      if (this.valueStart !== -1)
        this.valueStart -= keep;
    }
    if (this.work.length - this.end < chunkBytes) {
      const larger = Buffer.allocUnsafe(Math.max(this.end + chunkBytes + BATCH_BYTES, this.work.length * 2));
      this.work.copy(larger, 0, 0, this.end);
      this.work = larger;
    }
  }
  /** Takes `bytesRead` bytes read at `end`, and everything they complete. */
  add(bytesRead) {
    this.end += bytesRead;
    this.checkUtf8(utf8Boundary(this.work, this.checked, this.end));
    this.scan(false);
  }
  finish() {
    this.checkUtf8(this.end);
    this.scan(true);
    if (this.state !== DONE) {
      throw new NotJsonError(`the file ends (${this.base + this.end} bytes) before the JSON does`);
    }
  }
  root() {
    return this.state === DONE && this.rootIsObject ? this.top : this.rootValue;
  }
  checkUtf8(upTo) {
    if (isUtf8(this.work.subarray(this.checked, upTo))) {
      this.checked = upTo;
      return;
    }
    throw new NotJsonError(`not UTF-8: an invalid byte sequence between bytes ${this.base + this.checked} and ${this.base + upTo}`);
  }
  scan(final2) {
    const work = this.work;
    for (; ; ) {
      if (this.valueStart !== -1) {
        if (!this.scanValue(final2))
          return;
        this.completeValue();
        continue;
      }
      let pos = this.pos;
      while (pos < this.end && JSON_WHITESPACE[work[pos]] === 1)
        pos++;
      this.pos = pos;
      if (pos >= this.end)
        return;
      const byte = work[pos];
      switch (this.state) {
        case BEFORE_ROOT:
          if (this.base + pos < 3 && byte === BYTE_ORDER_MARK[this.base + pos]) {
            this.pos += 1;
          } else if (byte === OPEN_OBJECT) {
            this.rootIsObject = true;
            this.step(FIRST_KEY);
          } else {
            this.startValue(byte);
          }
          break;
        case FIRST_KEY:
        case NEXT_KEY:
          if (byte === QUOTE)
            this.startValue(byte);
          else if (byte === CLOSE_OBJECT && this.state === FIRST_KEY)
            this.step(DONE);
          else
            this.unexpected(pos);
          break;
        case AFTER_KEY:
          if (byte === COLON)
            this.step(TOP_VALUE);
          else
            this.unexpected(pos);
          break;
        case TOP_VALUE:
          if (byte === OPEN_LIST && this.key === "invocations") {
            this.top.set(this.key, []);
            this.step(FIRST_ELEMENT);
          } else {
            this.startValue(byte);
          }
          break;
        case AFTER_TOP_VALUE:
          if (byte === COMMA)
            this.step(NEXT_KEY);
          else if (byte === CLOSE_OBJECT)
            this.step(DONE);
          else
            this.unexpected(pos);
          break;
        case FIRST_ELEMENT:
        case NEXT_ELEMENT:
          if (byte === CLOSE_LIST && this.state === FIRST_ELEMENT)
            this.step(AFTER_TOP_VALUE);
          else if (this.base + pos < this.exactUntil || !this.parseElements())
            this.startValue(byte);
          break;
        case AFTER_ELEMENT:
          if (byte === COMMA)
            this.step(NEXT_ELEMENT);
          else if (byte === CLOSE_LIST)
            this.step(AFTER_TOP_VALUE);
          else
            this.unexpected(pos);
          break;
        default:
          this.unexpected(pos);
      }
    }
  }
  /** Moves past the structural byte at `pos`. */
  step(state) {
    this.state = state;
    this.pos += 1;
  }
  unexpected(pos) {
    const byte = this.work[pos];
    const shown = byte >= 32 && byte < 127 ? JSON.stringify(String.fromCharCode(byte)) : `byte 0x${byte.toString(16)}`;
    throw new NotJsonError(`unexpected ${shown} at byte ${this.base + pos}`);
  }
  startValue(byte) {
    if (byte === CLOSE_OBJECT || byte === CLOSE_LIST || byte === COMMA || byte === COLON) {
      this.unexpected(this.pos);
    }
    this.valueStart = this.pos;
    this.kind = ENDS_SCALAR[byte] === 1 ? NESTED : SCALAR;
    if (this.kind === NESTED) {
      this.inString = byte === QUOTE;
      this.depth = byte === QUOTE ? 0 : 1;
      this.pos += 1;
    }
  }
  /** Moves `pos` to the end of the value at `valueStart`; false when the bytes run out first. */
  scanValue(final2) {
    const work = this.work;
    const end = this.end;
    let pos = this.pos;
    if (this.kind === SCALAR) {
      while (pos < end && ENDS_SCALAR[work[pos]] === 0)
        pos++;
      this.pos = pos;
      return pos < end || final2;
    }
    let depth = this.depth;
    let inString = this.inString;
    while (pos < end) {
      const byte = work[pos++];
      if (inString) {
        if (byte === QUOTE) {
          inString = false;
          if (depth === 0)
            break;
        } else if (byte === BACKSLASH) {
          pos += 1;
        }
      } else if (byte === QUOTE) {
        inString = true;
      } else if (byte === OPEN_OBJECT || byte === OPEN_LIST) {
        depth += 1;
      } else if (byte === CLOSE_OBJECT || byte === CLOSE_LIST) {
        depth -= 1;
        if (depth === 0)
          break;
      }
    }
    this.pos = pos;
    this.depth = depth;
    this.inString = inString;
    return !inString && depth === 0 && pos <= end;
  }
  completeValue() {
    const start = this.valueStart;
    const text = this.work.toString("utf8", start, this.pos);
    this.valueStart = -1;
    switch (this.state) {
      case BEFORE_ROOT:
        this.rootValue = this.parseOrdered(text, start);
        this.state = DONE;
        return;
      case FIRST_KEY:
      case NEXT_KEY:
        this.key = this.parse(text, start);
        this.state = AFTER_KEY;
        return;
      case TOP_VALUE:
        this.top.set(this.key, this.parseOrdered(text, start));
        this.state = AFTER_TOP_VALUE;
        return;
      default:
        this.state = AFTER_ELEMENT;
        this.deliver(this.parse(text, start));
    }
  }
  /**
   * Parses the elements up to the last `}` within `BATCH_BYTES` in one go. False when that slice
   * is not a run of whole valid elements (the `}` closes something else or sits in a string, or
   * the bytes are not JSON): the bytes up to the limit are then scanned element by element, and
   * not offered again, so a layout this does not fit costs one failed parse per slice, no more.
   */
  parseElements() {
    const limit = Math.min(this.end, this.pos + BATCH_BYTES);
    const last = this.work.lastIndexOf(CLOSE_OBJECT, limit - 1);
    let elements;
    if (last >= this.pos) {
      try {
        elements = JSON.parse(`[${this.work.toString("utf8", this.pos, last + 1)}]`);
      } catch {
      }
    }
    if (elements === void 0) {
      this.exactUntil = this.base + limit;
      return false;
    }
    this.pos = last + 1;
    this.state = AFTER_ELEMENT;
    for (const element of elements)
      this.deliver(element);
    return true;
  }
  parse(text, start) {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw this.notJson(error, start);
    }
  }
  parseOrdered(text, start) {
    try {
      return parseOrderedJson(text);
    } catch (error) {
      throw this.notJson(error, start);
    }
  }
  notJson(error, start) {
    return new NotJsonError(`${error.message} (in the value at byte ${this.base + start})`, { cause: error });
  }
};
function utf8Boundary(bytes, from, end) {
  for (let back = 1; back <= 3 && end - back >= from; back++) {
    const byte = bytes[end - back];
    if (byte < 128)
      return end;
    if (byte >= 192) {
      const length = byte >= 240 ? 4 : byte >= 224 ? 3 : 2;
      return length > back ? end - back : end;
    }
  }
  return end;
}

// ../../packages/json-tracker/dist/legacy-reader.js
var TornReadError = class extends BadInputError {
};
var UnparsableFileError = class extends BadInputError {
};
var CHUNK_BYTES = 4 << 20;
async function scanLegacyFile(file, onInvocation = () => {
}, { snapshot = false, ...options } = {}) {
  if (!snapshot)
    return scanFrom(file, file, onInvocation, options);
  const copy = await stableCopyOf(file);
  if (copy === null)
    return scanFrom(file, file, onInvocation, options);
  try {
    const scan = await scanFrom(copy.path, file, onInvocation, options);
    return { ...scan, modifiedAt: copy.modifiedAt, version: copy.version };
  } finally {
    await rm3(copy.path, { force: true });
  }
}
var SNAPSHOT_ATTEMPTS = 20;
async function stableCopyOf(file) {
  for (let attempt = 1; attempt <= SNAPSHOT_ATTEMPTS; attempt += 1) {
    const before = await stat2(file, { bigint: true }).catch(() => void 0);
    if (before === void 0)
      return null;
    const path = join(dirname(file), `.${basename(file)}.snapshot-${process.pid}-${randomBytes(4).toString("hex")}`);
    await copyFile(file, path);
    const after = await stat2(file, { bigint: true }).catch(() => void 0);
    if (after !== void 0 && versionOf(before) === versionOf(after)) {
      return {
        path,
        version: versionOf(before),
        modifiedAt: new Date(Number(before.mtimeMs)).toISOString()
      };
    }
    await rm3(path, { force: true });
    await sleep(Math.min(250, 20 * attempt));
  }
  throw new TornReadError({ file }, `kept changing while a copy of it was taken (${SNAPSHOT_ATTEMPTS} tries): a writer that takes no lock saves it without pause`);
}
async function scanFrom(source, file, onInvocation, { onInvalid, afterChunk, chunkBytes = CHUNK_BYTES }) {
  const info = await statInput(source);
  if (info === void 0) {
    return {
      exists: false,
      skills: /* @__PURE__ */ new Map(),
      last_updated: null,
      extra: [],
      invocationCount: 0,
      fingerprint: null,
      modifiedAt: null,
      version: null
    };
  }
  let invocationCount = 0;
  const deliver = (value) => {
    const index = invocationCount;
    invocationCount += 1;
    if (onInvalid === void 0) {
      onInvocation(parseLegacyInvocationObject(value, file, index), index);
      return;
    }
    let invocation;
    try {
      invocation = parseLegacyInvocationObject(value, file, index);
    } catch (error) {
      if (!(error instanceof BadInputError))
        throw error;
      onInvalid(error, index);
      return;
    }
    onInvocation(invocation, index);
  };
  const scanner = new LayoutScanner(deliver);
  const hash = createHash("sha256");
  let size = 0;
  let sawNonWhitespace = false;
  const handle = await openInput(source);
  let modifiedAt;
  let version;
  try {
    for (; ; ) {
      scanner.makeRoom(chunkBytes);
      let bytesRead;
      try {
        ;
        ({ bytesRead } = await handle.read(scanner.work, scanner.end, chunkBytes, null));
      } catch (error) {
        const code = error.code ?? error.message;
        throw new BadInputError({ file }, `cannot be read (${code})`, { cause: error });
      }
      if (bytesRead === 0)
        break;
      const chunk = scanner.work.subarray(scanner.end, scanner.end + bytesRead);
      hash.update(chunk);
      size += bytesRead;
      sawNonWhitespace ||= hasNonWhitespace(chunk);
      scanner.add(bytesRead);
      await afterChunk?.(size);
    }
    scanner.finish();
    const read = await handle.stat({ bigint: true });
    modifiedAt = new Date(Number(read.mtimeMs)).toISOString();
    version = versionOf(read);
  } catch (error) {
    if (!(error instanceof NotJsonError))
      throw error;
    if (await changedSince(source, info)) {
      throw new TornReadError({ file }, `changed while it was read (a writer that takes no lock was saving it): ${error.message}`, { cause: error });
    }
    if (!sawNonWhitespace) {
      throw new UnparsableFileError({ file }, `the file is empty (${size} bytes); the original tracker leaves this after a crash mid-write`, { nextStep: await restoreHint(file) });
    }
    const where = scanner.inInvocations ? { file, record: `invocations[${invocationCount}]` } : { file };
    throw new UnparsableFileError(where, `not valid JSON: ${error.message}`, { cause: error.cause });
  } finally {
    await handle.close();
  }
  const top = checkTopLevel(scanner.root(), file);
  const skills = /* @__PURE__ */ new Map();
  const skillsObject = top.get("skills");
  for (const [key, value] of skillsObject ?? [])
    skills.set(key, parseSkillAggregate(value, file, key));
  const lastUpdated = top.get("last_updated");
  const extra = [...top].filter(([key]) => !KNOWN_TOP_LEVEL.has(key));
  return {
    exists: true,
    skills,
    last_updated: typeof lastUpdated === "string" ? lastUpdated : null,
    extra,
    invocationCount,
    fingerprint: { size, sha256: hash.digest("hex") },
    modifiedAt,
    version
  };
}
var versionOf = (info) => `${info.ino}:${info.size}:${info.mtimeNs}`;
async function fileVersionOf(file) {
  const info = await stat2(file, { bigint: true }).catch(() => void 0);
  return info === void 0 ? null : versionOf(info);
}
async function changedSince(file, before) {
  const now = await stat2(file).catch(() => void 0);
  return now === void 0 || now.ino !== before.ino || now.size !== before.size || now.mtimeMs !== before.mtimeMs;
}
var RECENT_SAVE_MS = 2e3;
var TORN_READ_PATIENCE_MS = 1e4;
async function writtenJustNow(file) {
  const info = await stat2(file).catch(() => void 0);
  return info !== void 0 && Date.now() - info.mtimeMs < RECENT_SAVE_MS;
}
async function readingThroughTornSaves(read) {
  const started = Date.now();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await read(attempt > 1);
    } catch (error) {
      const midSave = error instanceof TornReadError || error instanceof UnparsableFileError && await writtenJustNow(error.location.file);
      if (!midSave || Date.now() - started > TORN_READ_PATIENCE_MS)
        throw error;
      await sleep(Math.min(250, 20 * attempt));
    }
  }
}
var KNOWN_TOP_LEVEL = /* @__PURE__ */ new Set(["invocations", "skills", "last_updated"]);
async function openInput(file) {
  try {
    return await open(file, "r");
  } catch (error) {
    const code = error.code;
    throw new BadInputError({ file }, `cannot be read (${code ?? error.message})`, {
      cause: error
    });
  }
}
async function statInput(file) {
  try {
    const info = await stat2(file);
    if (info.isDirectory())
      throw new BadInputError({ file }, "is a directory, not a legacy JSON file");
    return info;
  } catch (error) {
    if (error instanceof BadInputError)
      throw error;
    const code = error.code;
    if (code === "ENOENT")
      return void 0;
    throw new BadInputError({ file }, `cannot be read (${code ?? error.message})`, {
      cause: error
    });
  }
}
async function restoreHint(file) {
  const name = basename(file);
  const backups = (await readdir(dirname(file)).catch(() => [])).filter((entry) => entry.startsWith(`${name}.backup-`)).sort();
  return backups.length > 0 ? `Restore the newest backup: cp ${dirname(file)}/${backups.at(-1)} ${file}` : "No backup of it was found beside it; restore it from your own backups, or remove it to start empty.";
}
function scanThroughTornSaves(file) {
  return readingThroughTornSaves((snapshot) => scanLegacyFile(file, void 0, { snapshot }));
}

// ../../packages/json-tracker/dist/writers-lock.js
import { createHash as createHash2, randomBytes as randomBytes2 } from "node:crypto";
import { mkdir, readdir as readdir2, readFile as readFile3, rmdir, stat as stat3, unlink, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname as dirname2, join as join2 } from "node:path";
import { setTimeout as sleep2 } from "node:timers/promises";
var import_proper_lockfile = __toESM(require_proper_lockfile(), 1);
var DEFAULT_LOCK_TIMEOUT_MS = 3e4;
var LOCK_STALE_MS = 1e4;
var LOCK_REFRESH_MS = 2e3;
function lockPathOf(file) {
  return `${file}.lock`;
}
function lockQueuePathOf(file) {
  return `${file}.lock-queue`;
}
var HOST = createHash2("sha256").update(hostname()).digest("hex").slice(0, 8);
var POLL_MS = 25;
var LockTicket = class _LockTicket {
  #queue;
  #name;
  #refresh;
  constructor(queue, name) {
    this.#queue = queue;
    this.#name = name;
    this.#refresh = setInterval(() => void this.#touch(), LOCK_REFRESH_MS);
    this.#refresh.unref();
  }
  static async take(file) {
    const queue = lockQueuePathOf(file);
    const arrival = String(Date.now()).padStart(15, "0");
    const name = `${arrival}-${randomBytes2(4).toString("hex")}-${HOST}-${process.pid}`;
    const ticket = new _LockTicket(queue, name);
    await ticket.#write();
    return ticket;
  }
  get #path() {
    return join2(this.#queue, this.#name);
  }
  async #write() {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await mkdir(this.#queue, { recursive: true });
        await writeFile(this.#path, "", { mode: PRIVATE_FILE_MODE });
        return;
      } catch (error) {
        if (error.code !== "ENOENT" || attempt === 100)
          throw error;
      }
    }
  }
  async #touch() {
    const now = /* @__PURE__ */ new Date();
    try {
      await utimes(this.#path, now, now);
    } catch (error) {
      if (error.code === "ENOENT")
        await this.#write().catch(() => {
        });
    }
  }
  /** True when no live ticket is ahead of this one; removes the dead ones it passes. */
  async isFirst() {
    const names = (await readdir2(this.#queue).catch(() => [])).sort();
    for (const name of names) {
      if (name >= this.#name)
        return true;
      if (await isLive(join2(this.#queue, name), name))
        return false;
      await unlink(join2(this.#queue, name)).catch(() => {
      });
    }
    return true;
  }
  async leave() {
    clearInterval(this.#refresh);
    await unlink(this.#path).catch(() => {
    });
    await rmdir(this.#queue).catch(() => {
    });
  }
};
async function isLive(path, name) {
  const [, , host, pid] = name.split("-");
  if (host === HOST && pid !== void 0 && !processExists(Number(pid)))
    return false;
  const info = await stat3(path).catch(() => void 0);
  return info !== void 0 && Date.now() - info.mtimeMs < LOCK_STALE_MS;
}
function processExists(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}
async function withWritersLock(file, work, { timeoutMs = DEFAULT_LOCK_TIMEOUT_MS } = {}) {
  try {
    await mkdir(dirname2(file), { recursive: true });
  } catch (error) {
    const code = error.code;
    throw new BadInputError({ file }, `its folder cannot be created (${code ?? error.message})`, { cause: error });
  }
  let compromised;
  const options = {
    realpath: false,
    lockfilePath: lockPathOf(file),
    stale: LOCK_STALE_MS,
    update: LOCK_REFRESH_MS,
    retries: 0,
    onCompromised: (error) => {
      compromised = error;
    }
  };
  const deadline = Date.now() + timeoutMs;
  const ticket = await LockTicket.take(file);
  let release;
  try {
    for (let attempt = 0; ; attempt += 1) {
      if (await ticket.isFirst()) {
        try {
          release = await import_proper_lockfile.default.lock(file, options);
          await nameOwner(file);
          break;
        } catch (error) {
          if (error.code !== "ELOCKED")
            throw error;
          if (await heldByDeadProcess(file))
            continue;
        }
      }
      if (Date.now() >= deadline) {
        throw new LockTimeoutError(`the writers' lock of ${file} is held by another process; gave up after ${timeoutMs} ms`, {
          nextStep: `Wait for the other skill-metrics process to finish. A lock left by a process killed on this host (${lockPathOf(file)}) is taken over at once, from another host after ${LOCK_STALE_MS / 1e3} s.`
        });
      }
      await sleep2(Math.min(2 * 2 ** attempt, POLL_MS) * (0.5 + Math.random()));
    }
  } finally {
    await ticket.leave();
  }
  try {
    return await work({
      assertHeld() {
        if (compromised !== void 0) {
          throw new LockTimeoutError(`lost the writers' lock of ${file}: ${compromised.message}`);
        }
      }
    });
  } finally {
    if (compromised === void 0) {
      await unlink(lockOwnerPathOf(file)).catch(() => {
      });
      await release();
    }
  }
}
function lockOwnerPathOf(file) {
  return `${file}.lock-owner`;
}
var OWNER = `${HOST}-${process.pid}
`;
async function nameOwner(file) {
  try {
    await unlink(lockOwnerPathOf(file)).catch((error) => {
      if (error.code !== "ENOENT")
        throw error;
    });
    await writeFile(lockOwnerPathOf(file), OWNER, { mode: PRIVATE_FILE_MODE });
  } catch {
    await unlink(lockOwnerPathOf(file)).catch(() => {
    });
  }
}
async function heldByDeadProcess(file) {
  const owner = await readFile3(lockOwnerPathOf(file), "utf8").catch(() => "");
  const named = /^([0-9a-f]{8})-(\d+)\n$/.exec(owner);
  if (named === null || named[1] !== HOST || processExists(Number(named[2])))
    return false;
  await unlink(lockOwnerPathOf(file)).catch(() => {
  });
  await rmdir(lockPathOf(file)).catch(() => {
  });
  return true;
}

// ../../packages/json-tracker/dist/json-tracker.js
function loadLegacyFile(file) {
  return readingThroughTornSaves(async (snapshot) => {
    const invocations = [];
    const scan = await scanLegacyFile(file, (invocation) => invocations.push(invocation), {
      snapshot
    });
    return {
      invocations,
      skills: scan.skills,
      last_updated: scan.last_updated,
      extra: scan.extra,
      fingerprint: scan.fingerprint,
      modifiedAt: scan.modifiedAt,
      version: scan.version
    };
  });
}
var SavedOverDuringRewrite = class extends Error {
};
var REWRITE_ATTEMPTS = 20;
async function rewriteLegacyFile(file, change, { now, assertHeld }) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await rewriteOnce(file, change, now, assertHeld);
    } catch (error) {
      if (!(error instanceof SavedOverDuringRewrite) || attempt >= REWRITE_ATTEMPTS)
        throw error;
    }
  }
}
async function rewriteOnce(file, change, now, assertHeld) {
  const document = await loadLegacyFile(file);
  const stamp = now.toISOString();
  const state = noteForeignWrite(await readWriterState(file), document.fingerprint, stamp, document.modifiedAt);
  const recorder = new ChangeRecorder(document);
  const result = await change(document);
  document.last_updated = toNaiveLocalIso(now);
  const changed = recorder.changesIn(document);
  const written = await replaceLegacyFile(
    file,
    encodeLegacyFile(document),
    document.fingerprint,
    state,
    stamp,
    async () => {
      assertHeld();
      if (await fileVersionOf(file) !== document.version)
        throw new SavedOverDuringRewrite();
    },
    // Logged before the rename: a crash after it leaves an entry for bytes the file never held,
    // which links nothing; logged after, a crash between would break the chain of a rename
    // that happened.
    changed === null ? void 0 : (after) => appendChange(file, { before: document.fingerprint, after, at: stamp, ...changed })
  );
  if (changed !== null)
    await notePlacedBytes(file, written).catch(() => {
    });
  return result;
}
var JsonFileTracker = class {
  file;
  #clock;
  #lockTimeoutMs;
  #beforeWrite;
  constructor({ file, clock = systemClock, lockTimeoutMs, beforeWrite }) {
    this.file = file;
    this.#clock = clock;
    this.#lockTimeoutMs = lockTimeoutMs;
    this.#beforeWrite = beforeWrite;
  }
  async trackInvocation(skillName, options = {}) {
    return (await this.startInvocation(skillName, options)).complete;
  }
  /**
   * Starts an invocation and tells what a mirror needs to copy it exactly: its id (from its
   * occurrence among the file's records, ARCHITECTURE §4) and position, and after completion the
   * duration and the completion sequence (the sum of all skill totals right after it).
   */
  async startInvocation(skillName, options = {}) {
    const invocation = {
      skill_name: skillName,
      invoked_at: options.invokedAt ?? toNaiveLocalIso(this.#clock.now()),
      workflow_path: options.workflowPath ?? null,
      completed: false,
      duration_seconds: null,
      follow_up_actions: [],
      error_type: null
    };
    const { seq, occurrence } = await this.#rewrite((document) => {
      const occurrence2 = document.invocations.filter((candidate) => sameIdentity(candidate, invocation)).length;
      return { seq: document.invocations.push(invocation) - 1, occurrence: occurrence2 };
    });
    let finished;
    return {
      id: invocationId(invocation.skill_name, invocation.invoked_at, invocation.workflow_path, occurrence),
      seq,
      invocation,
      // Nothing reached the file when a completion fails: the caller may try again.
      complete: completerOnce(invocation, async (completion) => {
        finished = await this.completeStarted(invocation, seq, completion);
      }),
      completion: () => finished
    };
  }
  /**
   * Completes a pending record that entered the file at `index`, found again by its identity if
   * the file moved it: how an invocation started by another phase's tracker is finished here.
   */
  async completeStarted(started, index, { completed = true, followUpActions = [], errorType = null, durationSeconds } = {}) {
    return this.#rewrite((document) => {
      const finished = {
        ...started,
        completed,
        follow_up_actions: [...followUpActions],
        error_type: errorType,
        duration_seconds: durationSeconds ?? naiveSecondsBetween(started.invoked_at, toNaiveLocalIso(this.#clock.now()))
      };
      const position = locatePending(document.invocations, started, index);
      if (position === void 0)
        document.invocations.push(finished);
      else
        document.invocations[position] = finished;
      applyCompletion(document.skills, finished);
      let completionSeq = 0;
      for (const aggregate of document.skills.values())
        completionSeq += aggregate.total_invocations;
      return { invocation: finished, completionSeq };
    });
  }
  async getSkillMetrics(skillName) {
    return (await this.getAllMetrics()).get(skillName) ?? null;
  }
  async getAllMetrics() {
    return readMetrics(this.file);
  }
  async getSummary() {
    return summarize((await scanThroughTornSaves(this.file)).skills);
  }
  async generateReport() {
    return renderReport((await scanThroughTornSaves(this.file)).skills);
  }
  async exportMetrics(outputFile) {
    const document = await loadLegacyFile(this.file);
    await writePiecesToFile(outputFile, exportPieces(document, toNaiveLocalIso(this.#clock.now())), {
      mode: await modeForFilesBeside(this.file)
    });
  }
  async close() {
  }
  /** The one way this tracker changes the file: under the lock, from a fresh read, atomically. */
  async #rewrite(change) {
    return withWritersLock(this.file, async (lock) => {
      await this.#beforeWrite?.();
      return rewriteLegacyFile(this.file, change, {
        now: this.#clock.now(),
        assertHeld: lock.assertHeld
      });
    }, { timeoutMs: this.#lockTimeoutMs });
  }
};
var sameIdentity = (a, b) => a.skill_name === b.skill_name && a.invoked_at === b.invoked_at && a.workflow_path === b.workflow_path;
function locatePending(invocations, started, index) {
  const matches = (candidate) => candidate !== void 0 && candidate.duration_seconds === null && !candidate.completed && candidate.skill_name === started.skill_name && candidate.invoked_at === started.invoked_at && candidate.workflow_path === started.workflow_path;
  if (matches(invocations[index]))
    return index;
  const found = invocations.findIndex(matches);
  return found === -1 ? void 0 : found;
}
async function readMetrics(file) {
  let durations = new CompletedDurations();
  const { skills } = await readingThroughTornSaves((snapshot) => {
    durations = new CompletedDurations();
    return scanLegacyFile(file, (invocation) => durations.add(invocation), { snapshot });
  });
  return new Map([...skills].map(([name, aggregate]) => [name, toSkillMetrics(aggregate, durations.of(name))]));
}

// ../../packages/migration/dist/phases/phase-copy.js
import { readFile as readFile4 } from "node:fs/promises";
var phaseCopySchema = external_exports.strictObject({
  phase: external_exports.enum(PHASES),
  epoch: external_exports.number().int().nonnegative(),
  transitioning: external_exports.boolean(),
  updated_at: external_exports.string(),
  database: external_exports.string().optional()
});
function phaseCopyPathOf(jsonFile) {
  return `${jsonFile}.phase.json`;
}
async function readPhaseCopy(jsonFile) {
  const path = phaseCopyPathOf(jsonFile);
  let text;
  try {
    text = await readFile4(path, "utf8");
  } catch (error) {
    if (error.code === "ENOENT")
      return null;
    throw new BadInputError({ file: path }, `cannot be read (${error.code})`);
  }
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadInputError({ file: path }, "is not valid JSON", {
      nextStep: "Remove it; the next transition or status rewrites it from the database."
    });
  }
  const result = phaseCopySchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new BadInputError({ file: path, field: issue.path.join(".") }, issue.message);
  }
  return result.data;
}
async function writePhaseCopy(jsonFile, copy) {
  await writeFileDurably(phaseCopyPathOf(jsonFile), `${JSON.stringify(copy, null, 2)}
`, {
    mode: await modeForFilesBeside(jsonFile)
  });
}
var DB_TRUTH_PHASES = ["db-primary", "cleaned"];
async function settledPhaseCopy({ jsonFile, db, lockTimeoutMs }) {
  const copy = await readPhaseCopy(jsonFile);
  if (copy?.transitioning !== true)
    return copy;
  return withWritersLock(jsonFile, async () => {
    const again = await readPhaseCopy(jsonFile);
    if (again?.transitioning !== true)
      return again;
    const { PhaseStore } = await import("./dist-UESP5553.js");
    const store = await PhaseStore.open(db);
    try {
      const state = await store.state();
      const settled = {
        ...again,
        phase: state.phase,
        epoch: state.epoch,
        transitioning: false,
        updated_at: (/* @__PURE__ */ new Date()).toISOString()
      };
      await writePhaseCopy(jsonFile, settled);
      return settled;
    } finally {
      await store.close();
    }
  }, { timeoutMs: lockTimeoutMs });
}

// ../../packages/migration/dist/trackers/jsonl-log.js
function appendJsonLine(path, jsonFile, value) {
  return appendJsonLines(path, jsonFile, [value]);
}
async function appendJsonLines(path, jsonFile, values) {
  if (values.length === 0)
    return;
  await appendDurably(path, values.map((value) => `${JSON.stringify(value)}
`).join(""), {
    mode: await modeForFilesBeside(jsonFile)
  });
}

// ../../packages/migration/dist/trackers/dual-read-mismatches.js
function mismatchLogPathOf(jsonFile) {
  return `${jsonFile}.dual-read-mismatches.jsonl`;
}
function recordMismatch(jsonFile, mismatch) {
  return appendJsonLine(mismatchLogPathOf(jsonFile), jsonFile, mismatch);
}

// ../../packages/migration/dist/trackers/dual-write-misses.js
function missLogPathOf(jsonFile) {
  return `${jsonFile}.dual-write-misses.jsonl`;
}
function recordMiss(jsonFile, miss) {
  return appendJsonLine(missLogPathOf(jsonFile), jsonFile, miss);
}

export {
  DEFAULT_RETENTION_DAYS,
  DEFAULT_FREEZE_TIMEOUT_MS,
  ROLLBACK_TARGETS,
  writerStatePathOf,
  readWriterState,
  changeLogPathOf,
  legacyFileFingerprint,
  withWritersLock,
  JsonFileTracker,
  phaseCopyPathOf,
  readPhaseCopy,
  writePhaseCopy,
  DB_TRUTH_PHASES,
  settledPhaseCopy,
  recordMismatch,
  recordMiss
};
