! conflux.f90: Fortran interfaces to the conflux C client (conflux.h) through
! iso_c_binding: the component API. Compile it with your code and link
! libconflux.a; strings passed in end with c_null_char ("surface"//c_null_char).
!
!   use conflux
!   type(c_ptr) :: app, mesh, p
!   real(c_double), pointer :: temperature(:)
!   if (cfx_connect(app) /= CFX_OK) then
!     write (error_unit, '(a)') cfx_error_message()
!     error stop 1
!   end if
!   rc = cfx_share_mesh(app, "surface"//c_null_char, 3, n, CFX_LAYOUT_SOA, "temperature,flux"//c_null_char, mesh)
!   rc = cfx_mesh_field(mesh, "temperature"//c_null_char, p)
!   call c_f_pointer(p, temperature, [n])
module conflux
  use, intrinsic :: iso_c_binding
  implicit none

  integer(c_int), parameter :: CFX_OK = 0
  integer(c_int), parameter :: CFX_LAYOUT_SOA = 0, CFX_LAYOUT_INTERLEAVED = 1

  interface
    integer(c_int) function cfx_connect(component) bind(c, name="cfx_connect")
      import :: c_int, c_ptr
      type(c_ptr), intent(out) :: component
    end function cfx_connect

    ! The rank of this process and the component's rank count (1 for a serial component): docs/parallel.md.
    integer(c_int) function cfx_rank(component) bind(c, name="cfx_rank")
      import :: c_int, c_ptr
      type(c_ptr), value :: component
    end function cfx_rank

    integer(c_int) function cfx_ranks(component) bind(c, name="cfx_ranks")
      import :: c_int, c_ptr
      type(c_ptr), value :: component
    end function cfx_ranks

    integer(c_int) function cfx_arg_int(component, key, fallback, value) bind(c, name="cfx_arg_int")
      import :: c_int, c_ptr, c_char
      type(c_ptr), value :: component
      character(kind=c_char), dimension(*), intent(in) :: key
      integer(c_int), value :: fallback
      integer(c_int), intent(out) :: value
    end function cfx_arg_int

    integer(c_int) function cfx_arg_double(component, key, fallback, value) bind(c, name="cfx_arg_double")
      import :: c_int, c_ptr, c_char, c_double
      type(c_ptr), value :: component
      character(kind=c_char), dimension(*), intent(in) :: key
      real(c_double), value :: fallback
      real(c_double), intent(out) :: value
    end function cfx_arg_double

    integer(c_int) function cfx_share_mesh(component, name, dimension, count, layout, fields, mesh) &
        bind(c, name="cfx_share_mesh")
      import :: c_int, c_ptr, c_char
      type(c_ptr), value :: component
      character(kind=c_char), dimension(*), intent(in) :: name, fields
      integer(c_int), value :: dimension, count, layout
      type(c_ptr), intent(out) :: mesh
    end function cfx_share_mesh

    integer(c_int) function cfx_mesh_coordinates(mesh, coordinates) bind(c, name="cfx_mesh_coordinates")
      import :: c_int, c_ptr
      type(c_ptr), value :: mesh
      type(c_ptr), intent(out) :: coordinates
    end function cfx_mesh_coordinates

    integer(c_int) function cfx_mesh_field(mesh, field, values) bind(c, name="cfx_mesh_field")
      import :: c_int, c_ptr, c_char
      type(c_ptr), value :: mesh
      character(kind=c_char), dimension(*), intent(in) :: field
      type(c_ptr), intent(out) :: values
    end function cfx_mesh_field

    integer(c_int) function cfx_ready(component) bind(c, name="cfx_ready")
      import :: c_int, c_ptr
      type(c_ptr), value :: component
    end function cfx_ready

    integer(c_int) function cfx_next_step(component, iteration) bind(c, name="cfx_next_step")
      import :: c_int, c_ptr
      type(c_ptr), value :: component
      integer(c_int), intent(out) :: iteration
    end function cfx_next_step

    integer(c_int) function cfx_done(component) bind(c, name="cfx_done")
      import :: c_int, c_ptr
      type(c_ptr), value :: component
    end function cfx_done

    ! Runs in physical time (conflux.h, "the time API"); the logical answers are 0 or 1.
    integer(c_int) function cfx_is_coupling_ongoing(component, ongoing) bind(c, name="cfx_is_coupling_ongoing")
      import :: c_int, c_ptr
      type(c_ptr), value :: component
      integer(c_int), intent(out) :: ongoing
    end function cfx_is_coupling_ongoing

    integer(c_int) function cfx_requires_writing_checkpoint(component, required) &
        bind(c, name="cfx_requires_writing_checkpoint")
      import :: c_int, c_ptr
      type(c_ptr), value :: component
      integer(c_int), intent(out) :: required
    end function cfx_requires_writing_checkpoint

    integer(c_int) function cfx_requires_reading_checkpoint(component, required) &
        bind(c, name="cfx_requires_reading_checkpoint")
      import :: c_int, c_ptr
      type(c_ptr), value :: component
      integer(c_int), intent(out) :: required
    end function cfx_requires_reading_checkpoint

    integer(c_int) function cfx_checkpoint_written(component, time) bind(c, name="cfx_checkpoint_written")
      import :: c_int, c_ptr, c_double
      type(c_ptr), value :: component
      real(c_double), value :: time
    end function cfx_checkpoint_written

    integer(c_int) function cfx_checkpoint_restored(component, time) bind(c, name="cfx_checkpoint_restored")
      import :: c_int, c_ptr, c_double
      type(c_ptr), value :: component
      real(c_double), value :: time
    end function cfx_checkpoint_restored

    integer(c_int) function cfx_max_time_step(component, dt) bind(c, name="cfx_max_time_step")
      import :: c_int, c_ptr, c_double
      type(c_ptr), value :: component
      real(c_double), intent(out) :: dt
    end function cfx_max_time_step

    !> Into `values` (the mesh's count of doubles): the driver's field at cfx_time + relative_time.
    integer(c_int) function cfx_read(component, mesh, field, relative_time, values) bind(c, name="cfx_read")
      import :: c_int, c_ptr, c_char, c_double
      type(c_ptr), value :: component
      character(kind=c_char), dimension(*), intent(in) :: mesh, field
      real(c_double), value :: relative_time
      real(c_double), dimension(*), intent(out) :: values
    end function cfx_read

    integer(c_int) function cfx_advance(component, dt) bind(c, name="cfx_advance")
      import :: c_int, c_ptr, c_double
      type(c_ptr), value :: component
      real(c_double), value :: dt
    end function cfx_advance

    integer(c_int) function cfx_time(component, time) bind(c, name="cfx_time")
      import :: c_int, c_ptr, c_double
      type(c_ptr), value :: component
      real(c_double), intent(out) :: time
    end function cfx_time

    integer(c_int) function cfx_window(component, window) bind(c, name="cfx_window")
      import :: c_int, c_ptr
      type(c_ptr), value :: component
      integer(c_int), intent(out) :: window
    end function cfx_window

    integer(c_int) function cfx_iteration(component, iteration) bind(c, name="cfx_iteration")
      import :: c_int, c_ptr
      type(c_ptr), value :: component
      integer(c_int), intent(out) :: iteration
    end function cfx_iteration

    integer(c_int) function cfx_close(component) bind(c, name="cfx_close")
      import :: c_int, c_ptr
      type(c_ptr), value :: component
    end function cfx_close

    type(c_ptr) function cfx_last_error() bind(c, name="cfx_last_error")
      import :: c_ptr
    end function cfx_last_error

    integer(c_size_t) function c_strlen(text) bind(c, name="strlen")
      import :: c_ptr, c_size_t
      type(c_ptr), value :: text
    end function c_strlen
  end interface

contains

  !> What the last failing call said (cfx_last_error), as a Fortran string.
  function cfx_error_message() result(message)
    character(len=:), allocatable :: message
    type(c_ptr) :: text
    character(kind=c_char), pointer :: characters(:)
    integer :: index, length
    text = cfx_last_error()
    length = int(c_strlen(text))
    call c_f_pointer(text, characters, [length])
    allocate (character(len=length) :: message)
    do index = 1, length
      message(index:index) = characters(index)
    end do
  end function cfx_error_message

end module conflux
