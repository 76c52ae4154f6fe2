import Testing
import TestSupport

/// Every transport suite runs inside this one, one test at a time: the fd-leak test counts the
/// process's open files, which only means something when no other test opens sockets meanwhile.
@Suite(.serialized) struct TransportTests {}
