using System;
using System.IO;

namespace RunCloud.Emulator.Tls
{
    /// <summary>A stream that first replays bytes already read (the ClientHello) and then reads from the inner stream.</summary>
    internal sealed class PrefixedStream : Stream
    {
        private readonly byte[] _prefix;
        private int _offset;
        private readonly int _count;
        private readonly Stream _inner;

        public PrefixedStream(byte[] prefix, int count, Stream inner)
        {
            _prefix = prefix;
            _count = count;
            _inner = inner;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_offset < _count)
            {
                int n = Math.Min(count, _count - _offset);
                Buffer.BlockCopy(_prefix, _offset, buffer, offset, n);
                _offset += n;
                return n;
            }
            return _inner.Read(buffer, offset, count);
        }

        public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);
        public override void Flush() => _inner.Flush();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
