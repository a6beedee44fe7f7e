"""Test peers for the detector-stream tests: publishers written from the published message definitions.

  stream_peer.py dectris PORT FILE [--first I] [--count N] [--series S] [--raw] [--skip 3,7] [--garbage]
                 [--geometry] [--pace-hz R] [--nonblocking] [--burst]
      DECTRIS Stream V2 (dectris/documentation stream_v2/README.md): binds a PUSH socket, sends a start message,
      one image message per frame of FILE:/entry_1/data_1/data (bitshuffle-LZ4, tag 56500, unless --raw), an end.
      --skip leaves image ids out (a publisher that skipped), --garbage sends malformed messages in between,
      --nonblocking drops images the consumer cannot take (prints their ids), --repeat K sends the frames K times,
      --burst encodes every image first and queues them all at once (no send limit). Prints a JSON summary at the end.
  stream_peer.py dectris1 PORT FILE [--encoding '<'|'lz4<'|'bs16-lz4<'] [--geometry JSON] [--first I] [--count N]
      DECTRIS Stream V1 (SIMPLON stream interface): binds a PUSH socket, sends the multipart dheader-1.0 with the
      detector configuration (with the --geometry keys: beam_center_x, detector_distance, x_pixel_size, ...), one
      dimage-1.0 / dimage_d-1.0 / data / dconfig-1.0 message per frame, and dseries_end-1.0.
  stream_peer.py replay PORT FOLDER [--geometry JSON] [--first I --count N]
      Sends a start message (with the --geometry keys) and then the recorded messages FOLDER/*.cbor as they are
      (with --count, only N of them from the I-th: a publisher that dies mid-series).
  stream_peer.py decode 0 FOLDER --out RAW
      Decodes the recorded images of FOLDER with cbor2 + bitshuffle (an oracle for fxs's decoder): raw uint16 into
      RAW, and prints {"shape": [h, w], "sums": [pixel sum per image]}.
  stream_peer.py karabo PORT FILE [--first I] [--count N] [--pulses P] [--online]
      Karabo bridge (python3-karabo-bridge's ServerInThread, REP, protocol 2.2): one train of P pulses per
      message, train ids 1000, 1001, ...
"""
import argparse, glob, json, os, struct, sys, time

import bitshuffle
import cbor2
import h5py
import numpy as np
import zmq


def bslz4(a):
    """The HDF5 bitshuffle filter's framing: 8-byte BE size, 4-byte BE block bytes, then the blocks."""
    a = np.ascontiguousarray(a)
    block = 8192 // a.itemsize
    body = bitshuffle.compress_lz4(a.reshape(-1), block).tobytes()
    return struct.pack('>QI', a.nbytes, block * a.itemsize) + body


TYPED_ARRAY = {np.dtype('<u2'): 69, np.dtype('<u4'): 70, np.dtype('<f4'): 85, np.dtype('<i4'): 78, np.dtype('u1'): 64}


def bind(sock, port):
    """Binds to 127.0.0.1:port (0: a free port) and prints {"port": N} as the first line."""
    if port:
        sock.bind('tcp://127.0.0.1:%d' % port)
    else:
        port = sock.bind_to_random_port('tcp://127.0.0.1')
    print(json.dumps({'port': port}), flush=True)


def image_array(a, raw):
    tag = TYPED_ARRAY[a.dtype]
    payload = a.tobytes() if raw else cbor2.CBORTag(56500, ['bslz4', a.itemsize, bslz4(a)])
    return cbor2.CBORTag(40, [list(a.shape), cbor2.CBORTag(tag, payload)])


def start_message(series, shape, count, geometry):
    m = {'type': 'start', 'series_id': series, 'series_unique_id': 'fxs-test-%d' % series,
         'channels': ['threshold_1'], 'image_size_x': shape[1], 'image_size_y': shape[0],
         'number_of_images': count, 'arm_date': cbor2.CBORTag(0, '2026-12-02T06:00:00Z')}
    if geometry:
        m.update(geometry)
    return m


def image_message(args, image_id, frame):
    return cbor2.dumps({'type': 'image', 'series_id': args.series, 'series_unique_id': 'fxs-test-%d' % args.series,
                        'image_id': image_id, 'real_time': [1, 1000], 'start_time': [image_id, 1000],
                        'stop_time': [image_id + 1, 1000],
                        'data': {'threshold_1': image_array(np.ascontiguousarray(frame), args.raw)}})


def dectris(args):
    frames = h5py.File(args.file, 'r')['entry_1/data_1/data'][()]
    last = len(frames) if args.count < 0 else min(len(frames), args.first + args.count)
    order = [i for _ in range(args.repeat) for i in range(args.first, last)]
    ctx = zmq.Context()
    sock = ctx.socket(zmq.PUSH)
    sock.setsockopt(zmq.SNDHWM, 0 if args.burst else 2)
    if args.nonblocking:
        sock.setsockopt(zmq.SNDBUF, 65536)  # a detector's small send buffer: a stalled consumer makes it drop
    bind(sock, args.port)
    geometry = json.loads(args.geometry) if args.geometry else None
    skip = {int(s) for s in args.skip.split(',') if s}
    # --burst: every message encoded first and queued without a limit, so that the series leaves at once
    encoded = [image_message(args, k, frames[i]) for k, i in enumerate(order)] if args.burst else []
    sock.send(cbor2.dumps(start_message(args.series, frames.shape[1:], len(order), geometry)))
    sent, dropped, garbage = [], [], 0
    for image_id, i in enumerate(order):
        if image_id in skip:
            continue
        if args.garbage and image_id % 4 == 2:
            for bad in [b'\xff\x00garbage', cbor2.dumps({'type': 'image', 'series_id': args.series, 'image_id': 999,
                        'data': {'threshold_1': cbor2.CBORTag(40, [[2, 2], cbor2.CBORTag(69, b'\x00' * 3)])}}),
                        cbor2.dumps({'type': 'image', 'series_id': args.series, 'image_id': 998,
                        'data': {'threshold_1': cbor2.CBORTag(40, [[2, 2], cbor2.CBORTag(71, b'\x00' * 32)])}}),
                        cbor2.dumps({'type': 'image', 'series_id': args.series, 'image_id': 997,
                        'data': {'threshold_1': image_array(frames[i], False)}})[:-100]]:
                sock.send(bad)
                garbage += 1
        msg = encoded[image_id] if args.burst else image_message(args, image_id, frames[i])
        if args.nonblocking:
            try:
                sock.send(msg, zmq.NOBLOCK)
                sent.append(image_id)
            except zmq.Again:
                dropped.append(image_id)
        else:
            sock.send(msg)
            sent.append(image_id)
        if args.pace_hz > 0:
            time.sleep(1.0 / args.pace_hz)
    sock.send(cbor2.dumps({'type': 'end', 'series_id': args.series, 'series_unique_id': 'fxs-test-%d' % args.series}))
    sock.close(linger=-1)
    ctx.term()
    print(json.dumps({'sent': sent, 'dropped': dropped, 'garbage': garbage}), flush=True)


def v1_data(a, encoding):
    """DECTRIS Stream V1 image data: raw little-endian, one LZ4 block, or bitshuffle-LZ4 with its 12-byte header."""
    if encoding == '<':
        return a.tobytes()
    if encoding == 'lz4<':
        import lz4.block
        return lz4.block.compress(a.tobytes(), store_size=False)
    return bslz4(a)


def dectris1(args):
    """DECTRIS Stream V1 (SIMPLON): multipart dheader-1.0 (+ config), dimage-1.0 / dimage_d-1.0 / data / dconfig-1.0
    per frame, dseries_end-1.0."""
    frames = h5py.File(args.file, 'r')['entry_1/data_1/data'][()]
    last = len(frames) if args.count < 0 else min(len(frames), args.first + args.count)
    ctx = zmq.Context()
    sock = ctx.socket(zmq.PUSH)
    sock.setsockopt(zmq.SNDHWM, 2)
    bind(sock, args.port)
    h, w = frames.shape[1:]
    config = {'x_pixels_in_detector': int(w), 'y_pixels_in_detector': int(h), 'nimages': last - args.first,
              'ntrigger': 1}
    if args.geometry:
        config.update(json.loads(args.geometry))
    sock.send_multipart([json.dumps({'htype': 'dheader-1.0', 'series': args.series, 'header_detail': 'basic'}).encode(),
                         json.dumps(config).encode()])
    encoding = args.encoding
    dtype = {np.dtype('<u2'): 'uint16', np.dtype('<u4'): 'uint32', np.dtype('<f4'): 'float32'}
    sent = []
    for frame_id, i in enumerate(range(args.first, last)):
        a = np.ascontiguousarray(frames[i])
        enc = 'bs%d-lz4<' % (a.itemsize * 8) if encoding.startswith('bs') else encoding  # bs16 for uint16, ...
        data = v1_data(a, enc)
        sock.send_multipart([
            json.dumps({'htype': 'dimage-1.0', 'series': args.series, 'frame': frame_id, 'hash': ''}).encode(),
            json.dumps({'htype': 'dimage_d-1.0', 'shape': [int(w), int(h)], 'type': dtype[a.dtype],
                        'encoding': enc, 'size': len(data)}).encode(),
            data,
            json.dumps({'htype': 'dconfig-1.0', 'start_time': frame_id, 'stop_time': frame_id + 1,
                        'real_time': 1}).encode()])
        sent.append(frame_id)
    sock.send_multipart([json.dumps({'htype': 'dseries_end-1.0', 'series': args.series}).encode()])
    sock.close(linger=-1)
    ctx.term()
    print(json.dumps({'sent': sent}), flush=True)


def recorded_images(folder):
    """The recorded Stream V2 image messages of FOLDER decoded by cbor2 + bitshuffle (threshold_1), in file order."""
    for f in sorted(glob.glob(os.path.join(folder, '*.cbor'))):
        m = cbor2.loads(open(f, 'rb').read())
        if m['type'] != 'image':
            continue
        (h, w), typed = m['data']['threshold_1'].value
        alg, size, packed = typed.value.value
        n, block = struct.unpack('>QI', packed[:12])
        flat = bitshuffle.decompress_lz4(np.frombuffer(packed[12:], np.uint8), (h * w,), np.dtype('<u2'), block // size)
        yield flat.reshape(h, w)


def decode(args):
    """Writes the recorded images (decoded here, not by fxs) as raw little-endian uint16 to --out; prints their
    shape and pixel sums."""
    sums, shape = [], None
    with open(args.out, 'wb') as out:
        for img in recorded_images(args.file):
            out.write(img.astype('<u2').tobytes())
            sums.append(float(img.astype(np.float64).sum()))
            shape = list(img.shape)
    print(json.dumps({'shape': shape, 'sums': sums}), flush=True)


def replay(args):
    ctx = zmq.Context()
    sock = ctx.socket(zmq.PUSH)
    bind(sock, args.port)
    files = sorted(glob.glob(os.path.join(args.file, '*.cbor')))
    first = cbor2.loads(open(files[0], 'rb').read())
    shape = first['data']['threshold_1'].value[0]
    geometry = json.loads(args.geometry) if args.geometry else None
    sock.send(cbor2.dumps(start_message(first['series_id'], shape, len(files) - 1, geometry)))
    # --count N: only the messages first .. first + N - 1 (a publisher that dies mid-series: no end message)
    chosen = files if args.count < 0 else files[args.first:args.first + args.count]
    for f in chosen:
        sock.send(open(f, 'rb').read())
    sock.close(linger=-1)
    ctx.term()
    print(json.dumps({'sent': len(chosen)}), flush=True)


def karabo(args):
    from karabo_bridge import ServerInThread
    frames = h5py.File(args.file, 'r')['entry_1/data_1/data']
    last = len(frames) if args.count < 0 else min(len(frames), args.first + args.count)
    server = ServerInThread('tcp://127.0.0.1:%s' % (args.port or '*'), maxlen=4)
    print(json.dumps({'port': int(server.endpoint.rsplit(':', 1)[1])}), flush=True)
    server.start()
    src = 'SPB_DET_AGIPD1M-1/CAL/APPEND_CORRECTED'
    trains = 0
    for t, i in enumerate(range(args.first, last, args.pulses)):
        stack = np.ascontiguousarray(frames[i:i + args.pulses])
        if args.online:
            stack = np.ascontiguousarray(np.transpose(stack, (2, 1, 0)))  # (fs, ss, pulses)
        tid = 1000 + args.first // args.pulses + t
        data = {src: {'image.data': stack, 'image.pulseId': np.arange(len(frames[i:i + args.pulses]), dtype=np.uint64)}}
        meta = {src: {'source': src, 'timestamp': time.time(), 'timestamp.tid': tid}}
        server.feed(data, meta)
        trains += 1
    while not server.buffer.empty():
        time.sleep(0.05)
    time.sleep(args.linger)
    server.stop()
    print(json.dumps({'trains': trains}), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('mode', choices=['dectris', 'dectris1', 'replay', 'karabo', 'decode'])
    p.add_argument('port', type=int)
    p.add_argument('file')
    p.add_argument('--first', type=int, default=0)
    p.add_argument('--count', type=int, default=-1)
    p.add_argument('--series', type=int, default=1)
    p.add_argument('--raw', action='store_true')
    p.add_argument('--skip', default='')
    p.add_argument('--garbage', action='store_true')
    p.add_argument('--geometry', default='')
    p.add_argument('--pace-hz', type=float, default=0.0)
    p.add_argument('--nonblocking', action='store_true')
    p.add_argument('--burst', action='store_true')
    p.add_argument('--repeat', type=int, default=1)
    p.add_argument('--pulses', type=int, default=4)
    p.add_argument('--online', action='store_true')
    p.add_argument('--linger', type=float, default=1.0)
    p.add_argument('--encoding', default='bs16-lz4<')
    p.add_argument('--out', default='')
    args = p.parse_args()
    {'dectris': dectris, 'dectris1': dectris1, 'replay': replay, 'karabo': karabo, 'decode': decode}[args.mode](args)


if __name__ == '__main__':
    main()
